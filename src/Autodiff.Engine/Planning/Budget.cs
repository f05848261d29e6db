using Autodiff.Engine.Boards;

namespace Autodiff.Engine.Planning;

/// <summary>The RAM a model may use on a board, and how that figure came about (for messages).</summary>
public sealed record Budget(long Bytes, string Explanation)
{
    public static Budget For(BoardSpec board, long? ramBudget, long? ramReserve)
    {
        var bytes = board.BudgetBytes(ramBudget, ramReserve);
        var why = ramBudget is not null ? "set by AutodiffRamBudget"
            : ramReserve is null && board.DefaultBudgetBytes is not null ? $"the {board.Name} board's default"
            : $"{board.RamBytes} B RAM − {ramReserve ?? board.ReserveBytes} B reserve";
        return new Budget(bytes, why);
    }
}
