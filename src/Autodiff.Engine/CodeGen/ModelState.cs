using System.Text;
using Autodiff.Engine.Autodiff;
using Autodiff.Engine.Graph;
using Autodiff.Engine.Planning;

namespace Autodiff.Engine.CodeGen;

/// <summary>
/// <c>NAME_save_state</c> / <c>NAME_load_state</c>: everything a device needs to resume training
/// after a reboot — the trainable parameters, the optimizer's state (momentum, Adam's moments) and
/// the number of steps done (which drives schedules, bias corrections and dropout masks) — as one
/// block of <c>NAME_STATE_BYTES</c> bytes for flash or EEPROM. The block starts with a header
/// (magic, the model's hash, steps, size) so a block from another model, another version of this
/// model, or erased flash is refused rather than loaded.
/// </summary>
internal static class ModelState
{
    /// <summary>"ADS1" little-endian: what a saved state starts with.</summary>
    private const uint Magic = 0x31534441;

    private const int HeaderBytes = 16;

    /// <summary>The tensors a state holds, in a fixed order: parameters then optimizer state, as the graph created them.</summary>
    public static IReadOnlyList<Tensor> Tensors(TrainingGraph training) =>
        training.Graph.Tensors.Where(t => t.Role is TensorRole.Parameter or TensorRole.OptimizerState).ToList();

    public static long Bytes(TrainingGraph training) => HeaderBytes + Tensors(training).Sum(t => t.Bytes);

    /// <summary>
    /// 32-bit FNV-1a over what makes a state fit: the model name, every state tensor's name, role and
    /// shape, and every forward op. Retraining or another learning rate keeps the hash; another
    /// layer, size or optimizer changes it.
    /// </summary>
    public static uint Hash(TrainingGraph training)
    {
        var text = new StringBuilder(training.Name).Append('\n');
        foreach (var t in Tensors(training)) text.Append(t.Role).Append(' ').Append(t.Name).Append(' ').Append(t.Shape).Append('\n');
        foreach (var node in training.Graph.Nodes.Where(n => n.Phase == NodePhase.Forward)) text.Append(node.Op.Describe()).Append('\n');
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text.ToString())) hash = unchecked((hash ^ b) * 16777619u);
        return hash;
    }

    public static void Declare(CWriter w, string n, string upper)
    {
        w.Comment("Saved training state: parameters, optimizer state and the step count, with a header naming the model.");
        w.Comment($"Save after training (to flash, EEPROM, a file); after a reboot, {n}_init() then {n}_load_state() resumes exactly.");
        w.Line($"void {n}_save_state(void *state);");
        w.Comment($"Restores a state {n}_save_state wrote for this model. Returns 0, or -1 (changing nothing) when the");
        w.Comment("block is not such a state: another model, another version of this one, or erased memory.");
        w.Line($"int {n}_load_state(const void *state);");
    }

    public static void Define(CWriter w, TrainingGraph training, TensorAddressing addressing, string stepCounter, string upper)
    {
        var n = training.Name;
        var tensors = Tensors(training);
        w.Line($"void {n}_save_state(void *state)");
        w.Line("{");
        w.Line("unsigned char *p = (unsigned char *)state;");
        w.Line($"const uint32_t header[4] = {{ 0x{Magic:x8}u, {upper}_MODEL_HASH, {stepCounter}, {upper}_STATE_BYTES }};");
        w.Line("memcpy(p, header, sizeof header);");
        w.Line("p += sizeof header;");
        foreach (var t in tensors)
        {
            w.Line($"memcpy(p, {addressing.Ptr(t)}, {CText.Unsigned(t.Bytes)}); /* {CText.Comment(t.Name)} */");
            w.Line($"p += {CText.Unsigned(t.Bytes)};");
        }
        w.Line("(void)p;");
        w.Line("}");
        w.Line();
        w.Line($"int {n}_load_state(const void *state)");
        w.Line("{");
        w.Line("const unsigned char *p = (const unsigned char *)state;");
        w.Line("uint32_t header[4];");
        w.Line("memcpy(header, p, sizeof header);");
        w.Line($"if (header[0] != 0x{Magic:x8}u || header[1] != {upper}_MODEL_HASH || header[3] != {upper}_STATE_BYTES) return -1;");
        w.Line("p += sizeof header;");
        foreach (var t in tensors)
        {
            w.Line($"memcpy({addressing.Ptr(t)}, p, {CText.Unsigned(t.Bytes)}); /* {CText.Comment(t.Name)} */");
            w.Line($"p += {CText.Unsigned(t.Bytes)};");
        }
        w.Line("(void)p;");
        w.Line($"{stepCounter} = header[2];");
        w.Line("return 0;");
        w.Line("}");
        w.Line();
    }
}
