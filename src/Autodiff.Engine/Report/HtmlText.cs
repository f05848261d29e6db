using System.Text;

namespace Autodiff.Engine.Report;

/// <summary>Escaping for the report: everything from the user (model name, labels, file names) goes through here.</summary>
internal static class HtmlText
{
    /// <summary>Escapes text for XHTML content and attribute values (the report must also parse as XML).</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                // Control characters are not allowed in XML 1.0; they carry no meaning in a label.
                case < ' ' when c is not '\n' and not '\t': sb.Append('?'); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Shortens a label to fit a box; the full text stays in the box's hover title.</summary>
    public static string Fit(string text, int maxChars) =>
        text.Length <= maxChars ? text : text[..(maxChars - 1)] + "…";
}
