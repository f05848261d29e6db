using System.Text;
using Autodiff.Engine.CodeGen;
using Xunit;

namespace Autodiff.Engine.Tests.CodeGen;

/// <summary>
/// NAME_save_state / NAME_load_state, compiled natively: training that is saved, re-initialised,
/// loaded and continued gives exactly the losses of training that never stopped (Adam's moments,
/// the step schedule and the step count all come back), and a state saved by another model, or a
/// block of erased flash, is refused without changing anything.
/// </summary>
public class StateTests
{
    [Fact]
    public void Resuming_from_a_saved_state_gives_the_losses_of_an_uninterrupted_run_and_other_states_are_refused()
    {
        // adam_mlp: Adam with bias corrections and a step schedule (step_size 500 crossed at step 500);
        // residual_rmsprop is the other model whose state must not load.
        var (adam, adamPlan) = GeneratedCodeTests.Plan("adam_mlp");
        var (other, otherPlan) = GeneratedCodeTests.Plan("residual_rmsprop");
        var main = new StringBuilder("""
            #include <stdio.h>
            #include <string.h>
            #include "adam_mlp.h"
            #include "residual.h"
            static float x[ADAM_MLP_BATCH * ADAM_MLP_INPUT_SIZE], y[ADAM_MLP_BATCH * ADAM_MLP_TARGET_SIZE];
            static unsigned char state[ADAM_MLP_STATE_BYTES], other_state[RESIDUAL_STATE_BYTES];
            static unsigned seed = 1;
            static float next(void) { seed = seed * 1103515245u + 12345u; return (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f; }
            static void batch(int step) {
                seed = 77u + 1000u * (unsigned)step;
                for (unsigned i = 0; i < sizeof x / sizeof x[0]; ++i) x[i] = next();
                for (unsigned i = 0; i < sizeof y / sizeof y[0]; ++i) y[i] = 0.0f;
                for (unsigned b = 0; b < ADAM_MLP_BATCH; ++b) y[b * ADAM_MLP_TARGET_SIZE + (unsigned)step % ADAM_MLP_TARGET_SIZE] = 1.0f;
            }
            int main(void) {
                float straight[520], resumed[520];
                adam_mlp_init();
                for (int s = 0; s < 520; ++s) { batch(s); straight[s] = adam_mlp_train_step(x, y); }
                adam_mlp_init();
                for (int s = 0; s < 480; ++s) { batch(s); resumed[s] = adam_mlp_train_step(x, y); }
                adam_mlp_save_state(state);
                adam_mlp_init();
                residual_init();
                residual_save_state(other_state);
                printf("foreign %d\n", adam_mlp_load_state(other_state));
                memset(other_state, 0xff, sizeof other_state);
                printf("erased %d\n", adam_mlp_load_state(other_state));
                printf("other %d\n", residual_load_state(state));
                printf("own %d\n", adam_mlp_load_state(state));
                for (int s = 480; s < 520; ++s) { batch(s); resumed[s] = adam_mlp_train_step(x, y); }
                int same = memcmp(straight, resumed, sizeof straight) == 0;
                printf("identical %d\n", same);
                printf("last %.9g %.9g\n", (double)straight[519], (double)resumed[519]);
                return 0;
            }
            """);
        var output = TestDriver.InTemporaryFolder("autodiff-state-", adam, adamPlan, main.ToString(), dir =>
        {
            foreach (var f in ModelEmitter.Emit(other, otherPlan, "other.yaml")) File.WriteAllText(Path.Combine(dir, f.RelativePath), f.Content);
            var kernels = Path.Combine(NativeRun.RepositoryRoot, "kernels", "portable");
            var families = KernelSelection.FamiliesOf(adamPlan).Union(KernelSelection.FamiliesOf(otherPlan)).Select(f => Path.Combine(kernels, f + ".c"));
            var exe = Path.Combine(dir, "state");
            NativeRun.Exec("gcc", [.. NativeRun.SanitizerFlags, "-I", kernels, "-I", dir, "main.c", "adam_mlp.c", "residual.c", .. families, "-o", exe, "-lm"], dir);
            return NativeRun.Exec(exe, [], dir);
        });
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1..]);
        Assert.Equal("-1", lines["foreign"][0]);
        Assert.Equal("-1", lines["erased"][0]);
        Assert.Equal("-1", lines["other"][0]);
        Assert.Equal("0", lines["own"][0]);
        Assert.True(lines["identical"][0] == "1", output);
    }

    [Fact]
    public void The_hash_changes_with_the_layers_but_not_with_the_learning_rate()
    {
        static string Header(string yaml)
        {
            var path = Path.Combine(Path.GetTempPath(), $"autodiff-hash-{Guid.NewGuid():N}.yaml");
            File.WriteAllText(path, yaml);
            try
            {
                var diagnostics = new global::Autodiff.Engine.Diagnostics.DiagnosticBag();
                var (training, plan) = ModelCompiler.Plan(path, diagnostics);
                Assert.True(training is not null, string.Join("\n", diagnostics.Items));
                var header = ModelEmitter.Emit(training!, plan!, path)[0].Content;
                return header.Split('\n').Single(l => l.StartsWith("#define HASHED_MODEL_HASH"));
            }
            finally { File.Delete(path); }
        }
        const string model = "autodiff: 1\nname: hashed\ninputs: { x: [4], y: [2] }\nlayers:\n  - linear: { units: UNITS }\n  - relu\n  - linear: { units: 2 }\nloss: { mse: { target: y } }\noptimizer: { adam: { lr: LR } }\n";
        var a = Header(model.Replace("UNITS", "8").Replace("LR", "0.01"));
        Assert.Equal(a, Header(model.Replace("UNITS", "8").Replace("LR", "0.001")));
        Assert.NotEqual(a, Header(model.Replace("UNITS", "9").Replace("LR", "0.01")));
    }
}
