using Autodiff.Engine.Boards;
using Autodiff.Engine.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Autodiff.Tasks;

/// <summary>
/// One reading of the board description per build. <see cref="AutodiffResolveBoard"/> reads
/// <c>board.yaml</c> and keeps the <see cref="BoardSpec"/> with the build engine for the rest of the
/// build; generation, the arena plan, the firmware report and flashing take that same object by the
/// resolved file (<c>AutodiffBoardFile</c>) instead of reading and checking the file again, so they
/// cannot see another version of it, and a problem in it is reported once.
/// </summary>
internal static class ResolvedBoard
{
    /// <summary>Reads a board file and keeps the result; null after logging why not.</summary>
    public static BoardSpec? Read(IBuildEngine engine, TaskLoggingHelper log, string name, IEnumerable<string> boardsDirectories)
    {
        var directories = Normalize(boardsDirectories);
        var bag = new DiagnosticBag();
        return Kept(engine, log, BoardCatalog.Load(directories, name, bag), bag, directories);
    }

    /// <summary>
    /// The board <see cref="Read"/> kept in this build. When there is none (a private target called on
    /// its own, a task in another node), the file is read again here.
    /// </summary>
    public static BoardSpec? Get(IBuildEngine engine, TaskLoggingHelper log, string boardFile, IEnumerable<string> boardsDirectories)
    {
        var directories = Normalize(boardsDirectories);
        if (engine is IBuildEngine4 cache &&
            cache.GetRegisteredTaskObject(Key(boardFile, directories), RegisteredTaskObjectLifetime.Build) is BoardSpec kept)
            return kept;

        var bag = new DiagnosticBag();
        return Kept(engine, log, BoardCatalog.LoadFile(boardFile, bag, directories), bag, directories);
    }

    /// <summary>Logs what reading the board said; a board that was read is kept for the rest of the build.</summary>
    private static BoardSpec? Kept(IBuildEngine engine, TaskLoggingHelper log, BoardSpec? board, DiagnosticBag bag, IReadOnlyList<string> directories)
    {
        log.LogDiagnostics(bag);
        if (board is null) return null;
        log.LogMessage(MessageImportance.Low, "Autodiff: read board '{0}' from {1}", board.Name, board.BoardFile);
        Keep(engine, board, directories);
        return board;
    }

    private static void Keep(IBuildEngine engine, BoardSpec board, IReadOnlyList<string> directories)
    {
        if (engine is not IBuildEngine4 cache) return;
        var key = Key(board.BoardFile, directories);
        cache.UnregisterTaskObject(key, RegisteredTaskObjectLifetime.Build);
        cache.RegisterTaskObject(key, board, RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
    }

    // The folders are part of the key: they decide where the board's sources are found.
    private static string Key(string boardFile, IReadOnlyList<string> directories) =>
        "Autodiff.ResolvedBoard|" + Path.GetFullPath(boardFile) + "|" + string.Join("|", directories);

    private static List<string> Normalize(IEnumerable<string> boardsDirectories) =>
        boardsDirectories.Where(d => !string.IsNullOrWhiteSpace(d)).Select(d => Path.GetFullPath(d.Trim())).ToList();
}
