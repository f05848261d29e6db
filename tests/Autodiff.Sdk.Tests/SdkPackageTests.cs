namespace Autodiff.Sdk.Tests;

/// <summary>Packing the SDK itself.</summary>
[Collection(SdkCollection.Name)]
public sealed class SdkPackageTests(SdkPackageFixture sdk)
{
    [Fact]
    public void Packing_forgets_the_extracted_copy_of_the_same_version_in_NUGET_PACKAGES()
    {
        // Only the cleanup step after Pack runs, with the repository root pointed at a scratch folder
        // so the checkout's own package folder is left alone.
        var scratch = Path.Combine(sdk.WorkRoot, "pack-cleanup");
        var packages = Path.Combine(scratch, "packages");
        var sameVersion = Path.Combine(packages, "autodiff.sdk", sdk.SdkVersion);
        var otherVersion = Path.Combine(packages, "autodiff.sdk", "0.0.1-other");
        Directory.CreateDirectory(sameVersion);
        Directory.CreateDirectory(otherVersion);

        var result = sdk.DotnetWith(sdk.RepositoryRoot, new Dictionary<string, string?> { ["NUGET_PACKAGES"] = packages },
            "msbuild", Path.Combine(sdk.RepositoryRoot, "sdk", "Autodiff.Sdk", "Autodiff.Sdk.csproj"),
            "-t:_AutodiffSdkForgetExtractedCopy", "-v:m", "-p:_AutodiffRepositoryRoot=" + scratch + Path.DirectorySeparatorChar);

        BuildAssert.Succeeded(result);
        Assert.False(Directory.Exists(sameVersion), "the extracted copy of the repacked version survived");
        Assert.True(Directory.Exists(otherVersion), "another version was removed");
    }
}
