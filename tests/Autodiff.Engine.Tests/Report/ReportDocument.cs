using System.Xml;
using System.Xml.Linq;

namespace Autodiff.Engine.Tests.Report;

/// <summary>Reads a generated report as XML: the report is written to be well-formed XHTML.</summary>
internal static class ReportDocument
{
    public static XDocument Parse(string html)
    {
        // The HTML5 doctype has no DTD to fetch; ignoring it lets the XML parser read the rest.
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    public static IEnumerable<XElement> ByClass(XDocument doc, string localName, string cssClass) =>
        doc.Descendants().Where(e => e.Name.LocalName == localName
                                     && ((string?)e.Attribute("class") ?? "").Split(' ').Contains(cssClass));

    public static long Long(XElement e, string attribute) => long.Parse((string)e.Attribute(attribute)!, System.Globalization.CultureInfo.InvariantCulture);
}
