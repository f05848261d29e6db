// TEMPORARY stand-in: lets the SDK be built and tested before the real compiler lands.
// It reads only `name`, `batch` and the input sizes and emits an API that does no learning.
using Autodiff.Engine.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Autodiff.Engine;

public static class ModelCompiler
{
    public static CompileResult Compile(CompileRequest request)
    {
        var path = Path.GetFullPath(request.ModelPath);
        var bag = new DiagnosticBag();
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path)) stream.Load(reader);
            root = (YamlMappingNode)stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            bag.Error("AD1001", "invalid YAML: " + (e.InnerException?.Message ?? e.Message), new SourceLocation(path, (int)e.Start.Line, (int)e.Start.Column));
            return new CompileResult(bag.Items, [], null, [], [path], []);
        }
        string name = ((YamlScalarNode)root.Children[new YamlScalarNode("name")]).Value!;
        int batch = root.Children.TryGetValue(new YamlScalarNode("batch"), out var b) ? int.Parse(((YamlScalarNode)b).Value!) : 1;
        var inputs = (YamlMappingNode)root.Children[new YamlScalarNode("inputs")];
        int Size(int i) => ((YamlSequenceNode)inputs.Children.Values.ElementAt(i)).Children.Select(c => int.Parse(((YamlScalarNode)c).Value!)).Aggregate(1, (x, y) => x * y);
        var up = name.ToUpperInvariant();
        var h = $$"""
            #ifndef {{up}}_H
            #define {{up}}_H
            #include <stdint.h>
            #define {{up}}_ARENA_BYTES 64u
            #define {{up}}_BATCH {{batch}}
            #define {{up}}_INPUT_SIZE {{Size(0)}}
            #define {{up}}_TARGET_SIZE {{Size(1)}}
            void {{name}}_init(void);
            float {{name}}_train_step(const float *x, const float *y);
            void {{name}}_predict(const float *x, float *out);
            #endif

            """;
        var c = $$"""
            #include "{{name}}.h"
            static float arena[16];
            void {{name}}_init(void) { arena[0] = 0.0f; }
            float {{name}}_train_step(const float *x, const float *y) { (void)x; (void)y; return arena[0]; }
            void {{name}}_predict(const float *x, float *out) { int i; (void)x; for (i = 0; i < {{up}}_TARGET_SIZE; i++) out[i] = arena[0]; }

            """;
        var budget = request.Board.BudgetBytes(request.RamBudget, request.RamReserve);
        return new CompileResult(bag.Items,
            [new GeneratedFile(name + ".h", h), new GeneratedFile(name + ".c", c)],
            name,
            [$"Autodiff: {name} (board {request.Board.Name}, {request.Board.RamBytes} B RAM, budget {budget} B)",
             "  arena 0.1 KiB (stand-in)"],
            [path], []);
    }
}
