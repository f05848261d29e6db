namespace Autodiff.Engine.Model;

/// <summary>
/// Parses the Python dict literal of a <c>.npy</c> header. Only the subset numpy writes is
/// accepted: exactly the keys <c>descr</c> (a string), <c>fortran_order</c> (True/False) and
/// <c>shape</c> (a tuple of non-negative integers), each once, with an optional trailing comma.
/// </summary>
public static class NpyHeader
{
    /// <summary>The three keys of a header: dtype string, storage order and shape.</summary>
    public sealed record Fields(string Descr, bool FortranOrder, IReadOnlyList<int> Shape);

    /// <summary>Parses the header dict; false with the reason in <paramref name="error"/> otherwise.</summary>
    public static bool TryParse(string text, out Fields fields, out string error)
    {
        fields = new Fields("", false, []);
        var p = new Cursor(text);
        string? descr = null;
        bool? fortran = null;
        List<int>? shape = null;

        if (!p.Take('{')) return Fail(out error, "expected '{'");
        while (!p.Take('}'))
        {
            if (p.ReadString() is not { } key) return Fail(out error, "expected a quoted key");
            if (!p.Take(':')) return Fail(out error, $"expected ':' after '{ModelNames.Printable(key)}'");
            switch (key)
            {
                case "descr" when descr is null:
                    descr = p.ReadString();
                    if (descr is null) return Fail(out error, "'descr' must be a dtype string (structured dtypes are not read)");
                    break;
                case "fortran_order" when fortran is null:
                    fortran = p.ReadWord() switch { "True" => true, "False" => false, _ => null };
                    if (fortran is null) return Fail(out error, "'fortran_order' must be True or False");
                    break;
                case "shape" when shape is null:
                    shape = p.ReadTuple(out var tupleError);
                    if (shape is null) return Fail(out error, tupleError);
                    break;
                case "descr" or "fortran_order" or "shape":
                    return Fail(out error, $"'{key}' appears twice");
                default:
                    return Fail(out error, $"unexpected key '{ModelNames.Printable(key)}'");
            }
            if (!p.Take(','))
            {
                if (!p.Take('}')) return Fail(out error, "expected ',' or '}'");
                break;
            }
        }
        if (!p.AtEnd) return Fail(out error, "unexpected text after the dict");
        if (descr is null || fortran is null || shape is null)
            return Fail(out error, "needs the keys 'descr', 'fortran_order' and 'shape'");
        fields = new Fields(descr, fortran.Value, shape);
        error = "";
        return true;
    }

    private static bool Fail(out string error, string message)
    {
        error = message;
        return false;
    }

    private sealed class Cursor(string text)
    {
        private int _pos;

        /// <summary>Only padding may follow the dict: spaces and the closing newline.</summary>
        public bool AtEnd
        {
            get
            {
                SkipSpace();
                return _pos == text.Length;
            }
        }

        public bool Take(char c)
        {
            SkipSpace();
            if (_pos < text.Length && text[_pos] == c)
            {
                _pos++;
                return true;
            }
            return false;
        }

        public string? ReadString()
        {
            SkipSpace();
            if (_pos >= text.Length || text[_pos] is not ('\'' or '"')) return null;
            var quote = text[_pos];
            var end = text.IndexOf(quote, _pos + 1);
            if (end < 0) return null;
            var s = text[(_pos + 1)..end];
            if (s.Contains('\\')) return null; // numpy never escapes inside these strings
            _pos = end + 1;
            return s;
        }

        public string ReadWord()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && char.IsAsciiLetter(text[_pos])) _pos++;
            return text[start.._pos];
        }

        public List<int>? ReadTuple(out string error)
        {
            error = "";
            var dims = new List<int>();
            if (!Take('('))
            {
                error = "'shape' must be a tuple";
                return null;
            }
            while (!Take(')'))
            {
                SkipSpace();
                var start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                var digits = text[start.._pos];
                if (_pos < text.Length && text[_pos] == 'L') _pos++; // Python 2 long suffix
                if (digits.Length == 0 || digits.Length > 10 || !int.TryParse(digits, out var d))
                {
                    error = "'shape' must hold non-negative integers below 2^31";
                    return null;
                }
                dims.Add(d);
                if (!Take(','))
                {
                    if (!Take(')'))
                    {
                        error = "expected ',' or ')' in 'shape'";
                        return null;
                    }
                    break;
                }
            }
            return dims;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] is ' ' or '\n' or '\t' or '\r') _pos++;
        }
    }
}
