using Microsoft.Build.Framework;

namespace Autodiff.Tasks;

/// <summary>
/// Prints the firmware line of the budget report, measured from the linked image:
/// <c>Firmware: .text 38.2 KiB / 1024 KiB flash · .data+.bss 24.9 KiB / 128 KiB RAM</c>.
/// </summary>
public sealed class AutodiffFirmwareReport : AutodiffTask
{
    /// <summary>The linked ELF image or host executable.</summary>
    [Required] public string Image { get; set; } = "";

    /// <summary>Board flash size in bytes; 0 leaves out the flash total (host).</summary>
    public long FlashBytes { get; set; }

    /// <summary>Board RAM size in bytes; 0 leaves out the RAM total.</summary>
    public long RamBytes { get; set; }

    /// <summary>Start address of the board's RAM: only sections placed in [RamAddress, RamAddress + RamBytes) count as RAM.</summary>
    public long RamAddress { get; set; }

    /// <summary>Start address of the board's flash: only sections placed in [FlashAddress, FlashAddress + FlashBytes) count as flash.</summary>
    public long FlashAddress { get; set; }

    /// <summary>True on the host, where the totals are not the board's memory and are left out.</summary>
    public bool IsHost { get; set; }

    /// <summary>The firmware report (several models on an Arm board), named on the line after the firmware line as each model's report is after its lines; empty when there is none.</summary>
    public string? FirmwareReportFile { get; set; }

    /// <summary>The line that was printed.</summary>
    [Output] public string ReportLine { get; private set; } = "";

    /// <summary>Bytes of flash the image uses (text + data).</summary>
    [Output] public long FlashUsed { get; private set; }

    /// <summary>Bytes of static RAM the image uses (data + bss).</summary>
    [Output] public long RamUsed { get; private set; }

    /// <inheritdoc />
    protected override bool ExecuteCore()
    {
        ElfImageSizes sizes;
        try
        {
            // On a board, memory outside the main RAM and flash (the stm32f4's CCM) is not what the
            // totals describe; the host's executable has no such map.
            sizes = IsHost
                ? ElfImageSizes.Read(Image)
                : ElfImageSizes.Read(Image,
                    RamBytes > 0 ? new ElfImageSizes.Region(RamAddress, RamBytes) : null,
                    FlashBytes > 0 ? new ElfImageSizes.Region(FlashAddress, FlashBytes) : null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // Not fatal: the image exists (non-ELF hosts such as Windows or macOS produce other formats).
            Log.LogWarning(null, SdkDiagnosticCodes.ImageUnreadable, null, Image, 0, 0, 0, 0,
                "cannot measure the firmware image: {0}", e.Message);
            return true;
        }

        FlashUsed = sizes.Flash;
        RamUsed = sizes.Ram;
        var flash = !IsHost && FlashBytes > 0 ? $" / {ByteFormat.KiB(FlashBytes)} flash" : "";
        var ram = !IsHost && RamBytes > 0 ? $" / {ByteFormat.KiB(RamBytes)} RAM" : "";
        ReportLine = $"Firmware: .text {ByteFormat.KiB(sizes.Text)}{flash} · .data+.bss {ByteFormat.KiB(sizes.Ram)}{ram}";
        LogReport(ReportLine);
        if (!string.IsNullOrEmpty(FirmwareReportFile)) LogReport($"  report: {FirmwareReportFile}");
        return true;
    }
}
