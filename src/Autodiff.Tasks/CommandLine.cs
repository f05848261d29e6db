namespace Autodiff.Tasks;

/// <summary>A program and its arguments as one line a user can paste into a POSIX shell.</summary>
internal static class CommandLine
{
    public static string Of(string program, IEnumerable<string> arguments) =>
        string.Join(" ", new[] { program }.Concat(arguments).Select(Quote));

    /// <summary>Single quotes around anything a shell would split or expand.</summary>
    public static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=,:+@%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";
}
