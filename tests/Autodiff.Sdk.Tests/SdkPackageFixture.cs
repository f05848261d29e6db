using System.Reflection;
using System.Text.RegularExpressions;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// Packs the SDK from the checkout once per test run into a temporary feed, with its own NuGet
/// package folder, and creates firmware projects in temporary folders outside the repository
/// that resolve <c>Autodiff.Sdk</c> from that feed.
/// </summary>
public sealed class SdkPackageFixture : IDisposable
{
    private int _projectCounter;

    public SdkPackageFixture()
    {
        RepositoryRoot = typeof(SdkPackageFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AutodiffRepositoryRoot").Value!;
        WorkRoot = Path.Combine(Path.GetTempPath(), "autodiff-sdk-tests-" + Guid.NewGuid().ToString("N")[..8]);
        FeedDirectory = Path.Combine(WorkRoot, "feed");
        PackagesDirectory = Path.Combine(WorkRoot, "packages");
        Directory.CreateDirectory(FeedDirectory);

        // A private artifacts folder keeps this build out of the checkout's bin/ and obj/.
        var pack = Dotnet(RepositoryRoot,
            "pack", Path.Combine(RepositoryRoot, "sdk", "Autodiff.Sdk"), "-c", "Release", "-o", FeedDirectory,
            "--artifacts-path", Path.Combine(WorkRoot, "artifacts"));
        if (!pack.Succeeded) throw new InvalidOperationException("dotnet pack of the SDK failed:\n" + pack.Output);

        PackOutput = pack.Output;
        PackagePath = Directory.GetFiles(FeedDirectory, "Autodiff.Sdk.*.nupkg").Single();
        SdkVersion = Regex.Match(Path.GetFileName(PackagePath), @"^Autodiff\.Sdk\.(.+)\.nupkg$").Groups[1].Value;
    }

    public string RepositoryRoot { get; }

    public string WorkRoot { get; }

    public string FeedDirectory { get; }

    public string PackagesDirectory { get; }

    public string SdkVersion { get; }

    /// <summary>The packed Autodiff.Sdk.*.nupkg in the feed.</summary>
    public string PackagePath { get; }

    /// <summary>What <c>dotnet pack</c> printed, for the check that packing warns about nothing.</summary>
    public string PackOutput { get; }

    /// <summary>A new, empty firmware project folder that can resolve the packed SDK.</summary>
    public FirmwareProject CreateProject(string name)
    {
        var directory = Path.Combine(WorkRoot, "projects", $"{Interlocked.Increment(ref _projectCounter):D2}-{name}", name);
        return FirmwareProject.Create(this, directory, name);
    }

    /// <summary>
    /// A new project training two residual classifiers, <c>alpha</c> and <c>beta</c>: two models for
    /// one board, using the elementwise family, which has CMSIS kernels.
    /// </summary>
    public FirmwareProject CreateTwoModelProject(string name) =>
        CreateProject(name)
            .WithProjectFile("models/alpha.yaml", "models/beta.yaml")
            .WithFile("models/alpha.yaml", TestModels.ResidualClassifier("alpha"))
            .WithFile("models/beta.yaml", TestModels.ResidualClassifier("beta"))
            .WithFile("main.c", TestModels.MainTraining(0, "alpha", "beta"));

    /// <summary>Runs <c>dotnet</c> the way a user would, isolated from this test process's MSBuild settings.</summary>
    public ProcessResult Dotnet(string workingDirectory, params string[] arguments) =>
        DotnetWith(workingDirectory, null, arguments);

    /// <summary>
    /// Like <see cref="Dotnet"/>, with <paramref name="environmentChanges"/> applied on top of the
    /// isolated environment (a null value removes the variable, e.g. <c>CMSIS_DSP_ROOT</c>).
    /// </summary>
    public ProcessResult DotnetWith(string workingDirectory, IReadOnlyDictionary<string, string?>? environmentChanges, params string[] arguments)
    {
        var environment = Environment();
        foreach (var (name, value) in environmentChanges ?? new Dictionary<string, string?>()) environment[name] = value;
        return ProcessRunner.Run("dotnet", arguments.Concat(new[] { "-nodeReuse:false", "--disable-build-servers" }), workingDirectory, environment);
    }

    /// <summary>Starts <c>dotnet</c> like <see cref="Dotnet"/> without waiting, for tests that act while it runs.</summary>
    /// <summary>
    /// Starts dotnet without waiting, for tests that interrupt it. A test host started in the
    /// background of a non-interactive shell inherits SIGINT as ignored, and so would the build;
    /// `env --default-signal` gives the build the disposition a terminal's Ctrl+C meets.
    /// </summary>
    public RunningProcess StartDotnet(string workingDirectory, params string[] arguments)
    {
        var dotnet = arguments.Concat(new[] { "-nodeReuse:false", "--disable-build-servers" });
        return OperatingSystem.IsLinux()
            ? ProcessRunner.Start("env", new[] { "--default-signal=INT", "dotnet" }.Concat(dotnet), workingDirectory, Environment())
            : ProcessRunner.Start("dotnet", dotnet, workingDirectory, Environment());
    }

    private Dictionary<string, string?> Environment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = PackagesDirectory,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };
        // The test host may run inside `dotnet test`, whose MSBuild settings must not leak into the builds.
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && name != "MSBUILDDISABLENODEREUSE")
                environment[name] = null;
        }
        return environment;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkRoot, recursive: true);
        }
        catch (IOException)
        {
            // a process still holding a file must not fail the run
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SdkCollection : ICollectionFixture<SdkPackageFixture>
{
    public const string Name = "Packed Autodiff SDK";
}
