namespace Autodiff.Engine.Boards;

/// <summary>
/// The programs <c>-t:Flash</c> can run (board.yaml <c>flasher:</c>, the <c>AutodiffFlasher</c>
/// property): how each is called to write an ELF image to the chip <c>flasher_target:</c> names, and
/// how to install it. All three talk to the common debug probes (ST-LINK, CMSIS-DAP, J-Link).
/// </summary>
public static class BoardFlasher
{
    public const string PyOcd = "pyocd";
    public const string OpenOcd = "openocd";
    public const string ProbeRs = "probe-rs";

    public static readonly IReadOnlyList<string> Known = [PyOcd, OpenOcd, ProbeRs];

    /// <summary>The arguments that write <paramref name="image"/> (an ELF, which carries its addresses) and restart the chip.</summary>
    public static IReadOnlyList<string> Arguments(string flasher, string target, string image) => flasher switch
    {
        PyOcd => ["flash", "--target", target, image],
        // openocd's target is a config file (board/st_nucleo_f4.cfg names the probe and the chip); its
        // program command takes a Tcl word, so a path with spaces is braced.
        OpenOcd => ["-f", target, "-c", $"program {{{image}}} verify reset exit"],
        _ => ["download", "--chip", target, image],
    };

    /// <summary>How to install <paramref name="flasher"/>, for the error that says it is missing.</summary>
    public static string HowToInstall(string flasher) => flasher switch
    {
        PyOcd => "python3 -m pip install pyocd",
        OpenOcd => "apt-get install openocd (Debian/Ubuntu), brew install open-ocd, or a release from openocd.org",
        ProbeRs => "the installer from https://probe.rs or cargo install probe-rs-tools",
        _ => $"{flasher} from its vendor",
    };
}
