using Microsoft.Build.Framework;
using Task = Microsoft.Build.Utilities.Task;

namespace Autodiff.Tasks;

/// <summary>
/// Base of the SDK's non-tool tasks: whatever goes wrong inside becomes an AD4999 error with the
/// exception text, so MSBuild never reports MSB4018 ("task failed unexpectedly").
/// </summary>
public abstract class AutodiffTask : Task
{
    /// <inheritdoc />
    public sealed override bool Execute()
    {
        try
        {
            return ExecuteCore() && !Log.HasLoggedErrors;
        }
        catch (Exception e)
        {
            Log.LogError(null, SdkDiagnosticCodes.InternalError, null, null, 0, 0, 0, 0,
                "{0} failed unexpectedly: {1}", GetType().Name, e.ToString());
            return false;
        }
    }

    /// <summary>The task's work; return false (after logging an error) to fail the build.</summary>
    protected abstract bool ExecuteCore();

    /// <summary>Logs a message that shows at minimal verbosity.</summary>
    protected void LogReport(string line) => Log.LogMessage(MessageImportance.High, "{0}", line);
}
