namespace Autodiff.Engine.Model;

/// <summary>"Did you mean ...?" for misspelt keys, keywords and names.</summary>
internal static class Suggest
{
    /// <summary>The known word closest to <paramref name="word"/>, if it is close enough to be a likely typo.</summary>
    public static string? Closest(string word, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Distance(word.ToLowerInvariant(), candidate);
            if (d < bestDistance || (d == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                best = candidate;
                bestDistance = d;
            }
        }
        // Allow roughly one edit per three characters, at least one: "unit"→"units", "lienar"→"linear".
        // A suggestion must keep part of the word: 'x' for 'xx', but not 'a' for '3'.
        var allowed = Math.Max(1, Math.Min(word.Length, best?.Length ?? 0) / 3);
        return best is not null && bestDistance <= allowed && bestDistance < word.Length ? best : null;
    }

    /// <summary>"; did you mean 'x'?" or empty.</summary>
    public static string Hint(string word, IEnumerable<string> known) =>
        word.Length <= 64 && Closest(word, known) is { } s ? $"; did you mean '{s}'?" : "";

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
