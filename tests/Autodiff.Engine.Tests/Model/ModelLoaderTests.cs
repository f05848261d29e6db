using Autodiff.Engine.Diagnostics;
using Autodiff.Engine.Model;
using Xunit;
using static Autodiff.Engine.Tests.Model.ModelText;

namespace Autodiff.Engine.Tests.Model;

public class ModelLoaderTests
{
    [Fact]
    public void Mnist_example_has_every_part_at_its_position()
    {
        var path = GoodModels.PathOf("mnist_mlp.yaml");
        var text = File.ReadAllText(path);
        var diags = new DiagnosticBag();

        var spec = ModelLoader.Load(path, diags)!;

        Assert.Empty(diags.Items);
        Assert.Equal(path, spec.File);
        Assert.Equal(new NuGet.Versioning.NuGetVersion(1, 0, 0), spec.Schema.Value);
        AssertAt(spec.Schema.Location, text, "1                  #");
        Assert.Equal("mnist_mlp", spec.Name.Value);
        AssertAt(spec.Name.Location, text, "mnist_mlp");
        Assert.Equal(path, spec.Name.Location.File);

        Assert.Equal(["x", "y"], spec.Inputs.Select(i => i.Name));
        Assert.Equal([784], spec.Inputs[0].Shape.Dims);
        AssertAt(spec.Inputs[0].Location, text, "x: [784]");
        AssertAt(spec.Inputs[0].Shape.DimLocations[0], text, "784");
        Assert.False(spec.Inputs[0].IsTarget);
        Assert.True(spec.Inputs[1].IsTarget);
        Assert.Equal(1, spec.Batch.Value);
        AssertAt(spec.Batch.Location, text, "1                     #");

        Assert.Equal(["linear", "sigmoid", "linear", "log_softmax"], spec.Layers.Select(l => l.Keyword));
        var fc1 = spec.Layers[0];
        AssertAt(fc1.Location, text, "linear");
        Assert.Equal("fc1", fc1.Name!.Value);
        AssertAt(fc1.Name.Location, text, "fc1");
        Assert.Equal(32, fc1.Args.Int("units", diags));
        AssertAt(fc1.Args.LocationOf("units"), text, "32, name");
        Assert.False(fc1.Args.Bool("bias", true, diags));
        AssertAt(spec.Layers[1].Location, text, "sigmoid");
        Assert.True(fc1.HasParameters);
        Assert.True(fc1.Trainable);
        Assert.False(spec.Layers[1].HasParameters);

        Assert.Equal(new TensorRef(TensorSource.Input, 0, null, fc1.Location), fc1.Operands.Single());
        Assert.Equal(new TensorRef(TensorSource.Layer, 0, null, spec.Layers[1].Location), spec.Layers[1].Operands.Single());
        Assert.Equal([0, 1, 2, 3], spec.EvaluationOrder);
        Assert.Same(spec.Layers[3], spec.Output);

        Assert.Equal(LossKind.Nll, spec.Loss.Kind);
        Assert.Equal("y", spec.Loss.Target.Value);
        Assert.Equal(1, spec.Loss.TargetIndex);
        AssertAt(spec.Loss.Location, text, "nll");
        AssertAt(spec.Loss.Target.Location, text, "y } }");
        Assert.Equal((TensorSource.Layer, 3), (spec.Loss.Input.Source, spec.Loss.Input.Index));
        Assert.Equal(0, spec.Loss.L2);

        var sgd = Assert.IsType<SgdSpec>(spec.Optimizer);
        Assert.Equal((0.01, 0.0, 0.0, false, 0.0), (sgd.Lr, sgd.Momentum, sgd.Dampening, sgd.Nesterov, sgd.WeightDecay));
        Assert.Null(sgd.Schedule);
        AssertAt(sgd.Location, text, "sgd");
        AssertAt(sgd.Args.LocationOf("lr"), text, "0.01");

        Assert.Equal(42u, spec.Init.Seed);
        AssertAt(spec.Init.Location, text, "42");
        Assert.Equal([Path.GetFullPath(path)], spec.ReferencedFiles);
    }

    [Fact]
    public void Text_overload_reports_the_display_path()
    {
        var text = With("  - linear: { units: 0 }\n");
        Load(text, out var diags);
        var d = Assert.Single(diags.Items);
        Assert.Equal(DisplayPath, d.Location!.File);
        AssertReports(diags, ModelDiagnosticCodes.OutOfRange, text, "0 }");
    }

    [Fact]
    public void Earlier_errors_in_the_bag_do_not_fail_the_load()
    {
        var diags = new DiagnosticBag();
        diags.Error("AD9999", "from another model", null);
        Assert.NotNull(ModelLoader.Load(With("  - linear: { units: 2 }\n"), DisplayPath, diags));
    }

    [Fact]
    public void Schema_defaults_are_filled_in_and_marked()
    {
        var text = With("""
              - conv2d: { filters: 4, kernel: 3 }
              - maxpool2d: { kernel: [2, 3] }
              - leaky_relu
              - dropout
              - softmax
              - sum
              - flatten
              - linear: { units: 2 }

            """, inputs: "  x: [8, 8, 1]\n  y: [2]\n");
        var spec = LoadValid(text);
        var d = new DiagnosticBag();
        var conv = spec.Layers[0].Args;
        Assert.Equal([3, 3], conv.IntOrList("kernel", 2, d));
        Assert.Equal([1, 1], conv.IntOrList("stride", 2, d));
        Assert.True(conv["stride"]!.IsDefault);
        Assert.False(conv["kernel"]!.IsDefault);
        Assert.Equal(spec.Layers[0].Location, conv["stride"]!.Location);
        Assert.Equal("valid", conv.Enum("padding", d, "valid", "same"));
        Assert.True(conv.Bool("bias", d));
        Assert.Equal([2, 3], spec.Layers[1].Args.IntOrList("stride", 2, d));
        Assert.Equal(0.01, spec.Layers[2].Args.Float("slope", d));
        Assert.Equal(0.5, spec.Layers[3].Args.Float("p", d));
        Assert.Equal(-1, spec.Layers[4].Args.Int("axis", d));
        Assert.Null(spec.Layers[5].Args.IntList("axes", d, allowScalar: true)); // every per-sample axis
        Assert.False(spec.Layers[5].Args.Bool("keepdims", d));
        Assert.Empty(d.Items);
    }

    [Fact]
    public void Binary_ops_take_two_names_or_the_previous_output_and_one_name()
    {
        var spec = LoadValid(File.ReadAllText(GoodModels.PathOf("tensor_ops.yaml")));
        var add = spec.Layers[0];
        Assert.Equal([(TensorSource.Input, 0, "a"), (TensorSource.Input, 1, "b")],
            add.Operands.Select(o => (o.Source, o.Index, o.Name)));
        var sub = spec.Layers[1];
        Assert.Equal([(TensorSource.Layer, 0, (string?)null), (TensorSource.Input, 1, "b")],
            sub.Operands.Select(o => (o.Source, o.Index, o.Name)));
        Assert.True(sub.Operands[0].IsImplicit);
        var last = spec.Output;
        Assert.Equal("mul", last.Keyword);
        Assert.Equal(["r", "mx"], last.Operands.Select(o => o.Name));
    }

    [Fact]
    public void A_name_may_refer_to_a_later_layer_and_the_order_follows_the_operands()
    {
        var text = With("""
              - linear: { units: 2, in: h, name: out }
              - tanh: { in: x, name: h }

            """, loss: "loss: { mse: { target: y, in: out } }");
        var spec = LoadValid(text);
        Assert.Equal([1, 0], spec.EvaluationOrder);
        Assert.Equal((TensorSource.Layer, 1), (spec.Layers[0].Operands[0].Source, spec.Layers[0].Operands[0].Index));
        AssertAt(spec.Layers[0].Operands[0].Location, text, "h, name");
        Assert.Equal((TensorSource.Layer, 0), (spec.Loss.Input.Source, spec.Loss.Input.Index));
        Assert.Same(spec.Layers[1], spec.Output);
    }

    [Fact]
    public void The_first_layer_reads_the_first_input_that_is_not_the_target()
    {
        var spec = LoadValid(With("  - linear: { units: 2 }\n", inputs: "  y: [2]\n  x: [4]\n"));
        Assert.Equal((TensorSource.Input, 1), (spec.Layers[0].Operands[0].Source, spec.Layers[0].Operands[0].Index));
        Assert.True(spec.Inputs[0].IsTarget);
    }

    [Fact]
    public void Optimizer_defaults_are_pytorchs()
    {
        var adam = Assert.IsType<AdamSpec>(LoadValid(With("  - linear: { units: 2 }\n", optimizer: "optimizer: adam")).Optimizer);
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, 0.0), (adam.Lr, adam.Beta1, adam.Beta2, adam.Eps, adam.WeightDecay));
        var rms = Assert.IsType<RmsPropSpec>(LoadValid(With("  - linear: { units: 2 }\n", optimizer: "optimizer: { rmsprop: }")).Optimizer);
        Assert.Equal((1e-2, 0.99, 1e-8, 0.0, 0.0), (rms.Lr, rms.Alpha, rms.Eps, rms.Momentum, rms.WeightDecay));
        var sgd = Assert.IsType<SgdSpec>(LoadValid(With("  - linear: { units: 2 }\n", optimizer: "optimizer: { sgd: {} }")).Optimizer);
        Assert.Equal(1e-3, sgd.Lr);
    }

    [Fact]
    public void Good_models_read_their_hyperparameters_and_schedules()
    {
        var adam = Assert.IsType<AdamSpec>(ModelLoader.Load(GoodModels.PathOf("adam_mlp.yaml"), new DiagnosticBag())!.Optimizer);
        Assert.Equal((0.002, 0.9, 0.99, 1e-7), (adam.Lr, adam.Beta1, adam.Beta2, adam.Eps));
        Assert.Equal(new StepSchedule(500, 0.5, adam.Schedule!.Location), adam.Schedule);

        var cnn = ModelLoader.Load(GoodModels.PathOf("conv_momentum.yaml"), new DiagnosticBag())!;
        var sgd = Assert.IsType<SgdSpec>(cnn.Optimizer);
        Assert.Equal((0.05, 0.9, true, 0.0005), (sgd.Lr, sgd.Momentum, sgd.Nesterov, sgd.WeightDecay));
        Assert.Equal(new CosineSchedule(1000, 0.001, sgd.Schedule!.Location), sgd.Schedule);
        Assert.Equal(2, cnn.Batch.Value);
        Assert.Equal([12, 12, 1], cnn.Inputs[0].Shape.Dims);
        Assert.Equal(LossKind.CrossEntropy, cnn.Loss.Kind);

        var bce = ModelLoader.Load(GoodModels.PathOf("bce.yaml"), new DiagnosticBag())!;
        Assert.Equal(LossKind.BceWithLogits, bce.Loss.Kind);
        Assert.Equal(new ExponentialSchedule(0.999, bce.Optimizer.Schedule!.Location), bce.Optimizer.Schedule);

        var hinge = ModelLoader.Load(GoodModels.PathOf("hinge.yaml"), new DiagnosticBag())!;
        Assert.Equal((LossKind.Hinge, 0.01), (hinge.Loss.Kind, hinge.Loss.L2));
        Assert.Equal(0u, hinge.Init.Seed);

        var residual = ModelLoader.Load(GoodModels.PathOf("residual_rmsprop.yaml"), new DiagnosticBag())!;
        var rms = Assert.IsType<RmsPropSpec>(residual.Optimizer);
        Assert.Equal((0.001, 0.9, 1e-6, 0.5, 0.0001), (rms.Lr, rms.Alpha, rms.Eps, rms.Momentum, rms.WeightDecay));
        var merged = residual.FindLayer("merged")!;
        Assert.Equal([residual.FindLayer("block2")!.Index, residual.FindLayer("trunk")!.Index], merged.Operands.Select(o => o.Index));
        Assert.Equal(residual.FindLayer("out")!.Index, residual.Loss.Input.Index);
        Assert.Equal(new NuGet.Versioning.NuGetVersion(1, 1, 0), residual.Schema.Value);
    }

    [Fact]
    public void Frozen_layers_read_their_weights_from_a_folder_or_a_file()
    {
        var path = GoodModels.PathOf("frozen_weights.yaml");
        var text = File.ReadAllText(path);
        var spec = ModelLoader.Load(path, new DiagnosticBag())!;
        var features = spec.FindLayer("features")!;
        Assert.False(features.Trainable);
        var w = features.Weights!;
        Assert.True(w.IsFolder);
        Assert.Equal("frozen_weights", w.Written);
        Assert.Equal(Path.Combine(GoodModels.Folder, "frozen_weights"), w.ResolvedPath);
        Assert.Equal([3, 4], w.Weight!.Shape);
        Assert.Equal(0.1f * 5, w.Weight.Data.Span[5], 6);
        Assert.Equal([3], w.Bias!.Shape);
        Assert.Equal(NpyDataType.Float64, w.Bias.StoredAs);
        Assert.Equal([0.5f, -0.5f, 0.25f], w.Bias.Data.ToArray());
        AssertAt(w.Location, text, "frozen_weights }");

        var adapter = spec.FindLayer("adapter")!;
        Assert.True(adapter.Trainable);
        Assert.False(adapter.Weights!.IsFolder);
        Assert.Null(adapter.Weights.Bias);
        Assert.Equal([3, 3], adapter.Weights.Weight!.Shape);

        Assert.Equal(
            new[] { path, "frozen_weights/features.weight.npy", "frozen_weights/features.bias.npy", "frozen_weights/adapter.npy" }
                .Select(p => Path.GetFullPath(Path.Combine(GoodModels.Folder, p))),
            spec.ReferencedFiles);
    }

    [Fact]
    public void Weights_resolve_against_the_given_base_directory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "autodiff-weights-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "w.npy"), NpyBytes.Float32([2, 4], new float[8]));
            var spec = LoadValid(With("  - linear: { units: 2, weights: w.npy, bias: false }\n"), dir);
            Assert.Equal(Path.Combine(dir, "w.npy"), spec.Layers[0].Weights!.ResolvedPath);
            Assert.Contains(Path.Combine(dir, "w.npy"), spec.ReferencedFiles);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Dead_layers_unused_inputs_and_useless_trainable_flags_are_warnings()
    {
        var text = With("""
              - linear: { units: 3, name: side }
              - relu: { trainable: false, in: x }
              - linear: { units: 2 }

            """, inputs: "  x: [4]\n  extra: [1]\n  y: [2]\n");
        var spec = Load(text, out var diags);
        Assert.NotNull(spec);
        Assert.All(diags.Items, d => Assert.Equal(Severity.Warning, d.Severity));
        AssertReports(diags, ModelDiagnosticCodes.UnusedLayer, text, "linear");
        AssertReports(diags, ModelDiagnosticCodes.UnusedInput, text, "extra");
        AssertReports(diags, ModelDiagnosticCodes.TrainableWithoutParameters, text, "relu");
        Assert.Equal(3, diags.Items.Count);
    }

    [Fact]
    public void A_newer_minor_schema_is_read_and_unknown_keys_mention_it()
    {
        var text = With("  - linear: { units: 2, groups: 2 }\n").Replace("autodiff: 1", "autodiff: 1.4");
        Load(text, out var diags);
        var d = Assert.Single(diags.Items);
        Assert.Equal(ModelDiagnosticCodes.UnknownArgument, d.Code);
        Assert.Contains("schema 1.4", d.Message);
    }

    [Fact]
    public void A_newer_major_schema_reports_only_that()
    {
        var text = "autodiff: 2\nname: tiny\nfuture_key: 1\n";
        Load(text, out var diags);
        var d = Assert.Single(diags.Items);
        Assert.Equal(ModelDiagnosticCodes.SchemaVersionUnsupported, d.Code);
        Assert.Equal("model needs schema 2; this Autodiff.Sdk supports schema 1 — update Autodiff.Sdk", d.Message);
    }

    [Fact]
    public void Several_independent_errors_are_reported_in_one_load()
    {
        var text = With("  - linear: { units: -1 }\n  - relu: { name: Bad }\n", optimizer: "optimizer: { adam: { lr: 0 } }");
        Load(text, out var diags);
        AssertReports(diags, ModelDiagnosticCodes.OutOfRange, text, "-1");
        AssertReports(diags, ModelDiagnosticCodes.InvalidName, text, "Bad");
        AssertReports(diags, ModelDiagnosticCodes.OutOfRange, text, "0 }");
    }

    [Fact]
    public void Unknown_arguments_suggest_the_closest_name()
    {
        var text = With("  - linear: { unitz: 2 }\n");
        Load(text, out var diags);
        Assert.Contains(diags.Items, d => d.Code == ModelDiagnosticCodes.UnknownArgument
            && d.Message == "unknown argument 'unitz' for linear; did you mean 'units'?");
    }

    [Fact]
    public void Every_design_keyword_is_in_the_catalog()
    {
        string[] design =
        [
            "linear", "conv2d", "maxpool2d", "avgpool2d", "flatten", "reshape", "dropout", "add", "sub", "mul", "div", "neg",
            "exp", "log", "sqrt", "pow", "sin", "cos", "matmul", "transpose", "sum", "mean", "max", "broadcast", "squeeze",
            "unsqueeze", "relu", "leaky_relu", "sigmoid", "tanh", "silu", "softmax", "log_softmax",
            "depthwise_conv2d", "global_avgpool", "batchnorm",
        ];
        Assert.Equal(design.Order(), LayerCatalog.Keywords.Order());
        Assert.Equal(["batchnorm", "conv2d", "depthwise_conv2d", "linear"], LayerCatalog.Keywords.Where(k => LayerCatalog.Find(k)!.HasParameters).Order());
        Assert.Equal(["add", "div", "matmul", "mul", "sub"], LayerCatalog.Keywords.Where(k => LayerCatalog.Find(k)!.Arity == 2).Order());
    }

    [Fact]
    public void Every_code_in_the_catalog_is_distinct_and_in_range()
    {
        var fields = typeof(ModelDiagnosticCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(fields.Count, fields.Distinct().Count());
        Assert.Equal(fields.Order(), ModelDiagnosticCodes.Descriptions.Keys.Order());
        Assert.All(fields, c => Assert.Matches("^AD[12][0-9]{3}$", c));
    }
}
