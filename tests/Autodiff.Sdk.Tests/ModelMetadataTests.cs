using System.Text.Json;

namespace Autodiff.Sdk.Tests;

/// <summary>
/// AutodiffModel metadata defaults to the properties through an ItemDefinitionGroup, as Grpc.Tools
/// does for Protobuf items: -getItem shows each model's effective settings, a value set on one item
/// wins over the property for that model alone, and a wrong value on an item is AD4003 at that model.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class ModelMetadataTests(SdkPackageFixture sdk)
{
    private FirmwareProject TwoModels(string name, string secondModelMetadata) =>
        sdk.CreateProject(name)
            .WithFile(name + ".proj", $"""
                <Project Sdk="Autodiff.Sdk">
                  <PropertyGroup>
                    <AutodiffFuseUpdates>false</AutodiffFuseUpdates>
                  </PropertyGroup>
                  <ItemGroup>
                    <AutodiffModel Include="models/first.yaml" />
                    <AutodiffModel Include="models/second.yaml" {secondModelMetadata} />
                  </ItemGroup>
                </Project>
                """)
            .WithFile("models/first.yaml", TestModels.Classifier("first"))
            .WithFile("models/second.yaml", TestModels.Classifier("second"))
            .WithFile("main.c", TestModels.MainTraining(0, "first", "second"));

    [Fact]
    public void GetItem_shows_the_properties_as_defaults_and_an_items_own_values()
    {
        var project = TwoModels("MetadataDefaults", """Kernels="portable" FuseUpdates="true" ArenaGroup="shared" """);

        var result = project.Build("-getItem:AutodiffModel", "-p:AutodiffRamBudget=200K");

        BuildAssert.Succeeded(result);
        var models = JsonDocument.Parse(result.Output[result.Output.IndexOf('{')..]).RootElement
            .GetProperty("Items").GetProperty("AutodiffModel").EnumerateArray()
            .ToDictionary(m => Path.GetFileName(m.GetProperty("Identity").GetString()!));
        string Metadata(string model, string name) => models[model].GetProperty(name).GetString()!;

        Assert.Equal("auto", Metadata("first.yaml", "Kernels"));
        Assert.Equal("false", Metadata("first.yaml", "FuseUpdates"));
        Assert.Equal("200K", Metadata("first.yaml", "RamBudget"));
        Assert.Equal("true", Metadata("first.yaml", "Quantize"));
        Assert.Equal("false", Metadata("first.yaml", "TrainAll"));
        Assert.Equal("", Metadata("first.yaml", "ArenaGroup"));

        Assert.Equal("portable", Metadata("second.yaml", "Kernels"));
        Assert.Equal("true", Metadata("second.yaml", "FuseUpdates"));
        Assert.Equal("200K", Metadata("second.yaml", "RamBudget"));
        Assert.Equal("shared", Metadata("second.yaml", "ArenaGroup"));
    }

    [Fact]
    public void A_budget_set_on_one_model_wins_over_the_property_for_that_model_alone()
    {
        var project = TwoModels("MetadataOverride", """RamBudget="64" """);

        var result = project.Build("-p:AutodiffRamBudget=1M");

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"second\.yaml.*error AD3001");
        Assert.DoesNotMatch(@"first\.yaml.*error AD3001", result.Output);
    }

    [Fact]
    public void A_wrong_value_on_an_item_is_AD4003_at_that_model()
    {
        var project = TwoModels("MetadataInvalid", """FuseUpdates="sometimes" """);

        var result = project.Build();

        BuildAssert.Failed(result);
        BuildAssert.OutputMatches(result, @"second\.yaml.*error AD4003: FuseUpdates must be true or false, not 'sometimes' \(AutodiffModel metadata\)");
        // The property itself (false) is fine, so it is not reported.
        Assert.DoesNotContain("AutodiffFuseUpdates must be", result.Output);
    }
}
