namespace Autodiff.Engine.Model;

/// <summary>
/// Every diagnostic the model front end reports: AD1xxx for the model file itself, AD2xxx for
/// the name graph it describes. One code per rule, so tests and users can tell the
/// rules apart; <see cref="Descriptions"/> is the catalog printed in documentation.
/// Name-graph rules use AD2101 and up; AD2001–AD2099 belong to the shape rules of graph lowering.
/// </summary>
public static class ModelDiagnosticCodes
{
    /// <summary>An unexpected failure inside the loader; reported instead of throwing.</summary>
    public const string InternalError = "AD1000";
    /// <summary>The file is not well-formed YAML.</summary>
    public const string YamlSyntax = "AD1001";
    /// <summary>The model file (or a text it needs) cannot be read.</summary>
    public const string FileUnreadable = "AD1002";
    /// <summary>YAML aliases (<c>*name</c>) are refused: a model has no use for them and they enable alias bombs.</summary>
    public const string AliasNotAllowed = "AD1003";
    /// <summary>The model file is larger than the loader accepts.</summary>
    public const string DocumentTooLarge = "AD1004";
    /// <summary>Collections are nested deeper than the loader accepts.</summary>
    public const string NestingTooDeep = "AD1005";
    /// <summary>The document has more YAML nodes, or the model more layers, than the loader accepts.</summary>
    public const string TooManyNodes = "AD1006";
    /// <summary>The file holds no document, or more than one.</summary>
    public const string DocumentCount = "AD1007";
    /// <summary>A mapping has the same key twice.</summary>
    public const string DuplicateKey = "AD1008";
    /// <summary>An explicit YAML tag (<c>!!str</c>, <c>!custom</c>) was used; model files take plain values.</summary>
    public const string TagNotAllowed = "AD1009";
    /// <summary>The <c>autodiff:</c> schema version is missing.</summary>
    public const string SchemaVersionMissing = "AD1010";
    /// <summary>The <c>autodiff:</c> value is not a version number.</summary>
    public const string SchemaVersionInvalid = "AD1011";
    /// <summary>The schema version is not one this engine supports (a newer Autodiff.Sdk is needed).</summary>
    public const string SchemaVersionUnsupported = "AD1012";
    /// <summary>A top-level key the schema does not define.</summary>
    public const string UnknownTopLevelKey = "AD1013";
    /// <summary>A required top-level section (<c>name</c>, <c>inputs</c>, <c>layers</c>, <c>loss</c>, <c>optimizer</c>) is missing.</summary>
    public const string MissingSection = "AD1014";
    /// <summary>A value has the wrong type (text where a number is expected, a float where an integer is expected, ...).</summary>
    public const string WrongType = "AD1015";
    /// <summary>A value is outside its allowed range (zero or negative sizes, lr ≤ 0, betas outside [0,1), ...).</summary>
    public const string OutOfRange = "AD1016";
    /// <summary>A name is not an identifier of the form <c>[a-z_][a-z0-9_]*</c> of at most 63 characters.</summary>
    public const string InvalidName = "AD1017";
    /// <summary>A name is reserved in C or by the generated code (C keyword, leading <c>_</c>, <c>ad_</c> prefix, <c>__</c>, ...).</summary>
    public const string ReservedName = "AD1018";
    /// <summary>A shape is empty, has too many dimensions, or a dimension that is not a positive integer.</summary>
    public const string InvalidShape = "AD1019";
    /// <summary>A number or an element/byte count does not fit the 32-bit sizes the generated C uses.</summary>
    public const string SizeOverflow = "AD1020";
    /// <summary>A layer keyword the schema does not define.</summary>
    public const string UnknownLayer = "AD1021";
    /// <summary>An argument the layer, loss, optimizer or schedule does not take.</summary>
    public const string UnknownArgument = "AD1022";
    /// <summary>A required argument is missing.</summary>
    public const string MissingArgument = "AD1023";
    /// <summary>A layer, loss, optimizer or schedule entry is neither a bare keyword nor a one-key mapping <c>keyword: {args}</c>.</summary>
    public const string MalformedEntry = "AD1024";
    /// <summary>A layer has the wrong number of operands in <c>in:</c> for its kind.</summary>
    public const string OperandCount = "AD1025";
    /// <summary>A loss kind the schema does not define.</summary>
    public const string UnknownLoss = "AD1026";
    /// <summary>An optimizer kind the schema does not define.</summary>
    public const string UnknownOptimizer = "AD1027";
    /// <summary>A learning-rate schedule kind the schema does not define.</summary>
    public const string UnknownSchedule = "AD1028";
    /// <summary>The loss target is not one of the declared inputs.</summary>
    public const string LossTargetNotInput = "AD1029";
    /// <summary>A <c>weights:</c> file or folder (or a file expected inside the folder) does not exist.</summary>
    public const string WeightsMissing = "AD1030";
    /// <summary>A <c>.npy</c> file is malformed (bad magic, header, shape or data length).</summary>
    public const string NpyMalformed = "AD1031";
    /// <summary>A <c>.npy</c> file uses a layout the engine does not read (not little-endian float32/float64 C order).</summary>
    public const string NpyUnsupported = "AD1032";
    /// <summary><c>weights:</c> on a layer that has no parameters.</summary>
    public const string WeightsOnParameterlessLayer = "AD1033";
    /// <summary>A value is not one of the allowed choices (e.g. <c>padding: full</c>).</summary>
    public const string InvalidChoice = "AD1034";
    /// <summary>A list that must not be empty is empty (<c>layers: []</c>, <c>inputs: {}</c>, <c>in: []</c>).</summary>
    public const string EmptyList = "AD1035";
    /// <summary>A weights folder is used on a layer without <c>name:</c>, so file names cannot be derived.</summary>
    public const string WeightsFolderNeedsName = "AD1036";
    /// <summary>A <c>.npy</c> file holds NaN or infinite values.</summary>
    public const string NpyNonFinite = "AD1037";
    /// <summary>Warning: <c>trainable: false</c> on a layer that has no parameters has no effect.</summary>
    public const string TrainableWithoutParameters = "AD1038";
    /// <summary>Two argument values contradict each other (e.g. <c>nesterov: true</c> without momentum).</summary>
    public const string ConflictingArguments = "AD1039";
    /// <summary><c>quantize: int8</c> on a layer whose parameters train.</summary>
    public const string QuantizeTrainable = "AD1040";
    /// <summary><c>quantize: int8</c> on a layer keyword that has no int8 kernel.</summary>
    public const string QuantizeUnsupported = "AD1041";
    /// <summary>A quantised model without <c>calibration:</c>, or calibration samples that do not fit the input.</summary>
    public const string CalibrationInvalid = "AD1042";

    /// <summary>A name in <c>in:</c> (of a layer or the loss) is neither an input nor a layer name.</summary>
    public const string UnknownTensor = "AD2101";
    /// <summary>A tensor name is defined twice (two layers, or a layer and an input).</summary>
    public const string DuplicateTensor = "AD2102";
    /// <summary>Layers read each other's outputs in a cycle.</summary>
    public const string Cycle = "AD2103";
    /// <summary>Warning: a layer's output reaches neither the loss nor the model output.</summary>
    public const string UnusedLayer = "AD2104";
    /// <summary>Warning: an input is read by no layer and is not the loss target.</summary>
    public const string UnusedInput = "AD2105";
    /// <summary>A layer without <c>in:</c> has no previous output to read (every input is a loss target).</summary>
    public const string NoPreviousOutput = "AD2106";
    /// <summary>The loss reads a model input directly instead of a layer output.</summary>
    public const string LossReadsInput = "AD2107";

    /// <summary>One line per code, for documentation and for tests that check the catalog is complete.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new SortedDictionary<string, string>
    {
        [InternalError] = "internal error in the model loader",
        [YamlSyntax] = "YAML syntax error",
        [FileUnreadable] = "model file cannot be read",
        [AliasNotAllowed] = "YAML aliases are not allowed",
        [DocumentTooLarge] = "model file too large",
        [NestingTooDeep] = "YAML nesting too deep",
        [TooManyNodes] = "too many YAML nodes",
        [DocumentCount] = "file must hold exactly one YAML document",
        [DuplicateKey] = "duplicate mapping key",
        [TagNotAllowed] = "explicit YAML tags are not allowed",
        [SchemaVersionMissing] = "missing `autodiff:` schema version",
        [SchemaVersionInvalid] = "`autodiff:` is not a version",
        [SchemaVersionUnsupported] = "schema version not supported by this Autodiff.Sdk",
        [UnknownTopLevelKey] = "unknown top-level key",
        [MissingSection] = "missing required top-level section",
        [WrongType] = "value has the wrong type",
        [OutOfRange] = "value out of range",
        [InvalidName] = "name is not a valid identifier",
        [ReservedName] = "name is reserved",
        [InvalidShape] = "invalid shape",
        [SizeOverflow] = "size does not fit 32 bits",
        [UnknownLayer] = "unknown layer keyword",
        [UnknownArgument] = "unknown argument",
        [MissingArgument] = "missing required argument",
        [MalformedEntry] = "entry is not a keyword or a one-key mapping",
        [OperandCount] = "wrong number of operands",
        [UnknownLoss] = "unknown loss",
        [UnknownOptimizer] = "unknown optimizer",
        [UnknownSchedule] = "unknown learning-rate schedule",
        [LossTargetNotInput] = "loss target is not an input",
        [WeightsMissing] = "weights file or folder missing",
        [NpyMalformed] = "malformed .npy file",
        [NpyUnsupported] = "unsupported .npy layout",
        [WeightsOnParameterlessLayer] = "weights on a layer without parameters",
        [InvalidChoice] = "value is not one of the allowed choices",
        [EmptyList] = "list must not be empty",
        [WeightsFolderNeedsName] = "weights folder needs a layer name",
        [NpyNonFinite] = ".npy file holds NaN or infinity",
        [TrainableWithoutParameters] = "trainable: false on a layer without parameters (warning)",
        [ConflictingArguments] = "arguments contradict each other",
        [QuantizeTrainable] = "quantize: int8 on a trainable layer",
        [QuantizeUnsupported] = "quantize: int8 on a layer without an int8 kernel",
        [CalibrationInvalid] = "calibration samples missing or of the wrong shape",
        [UnknownTensor] = "unknown tensor name",
        [DuplicateTensor] = "duplicate tensor name",
        [Cycle] = "layers form a cycle",
        [UnusedLayer] = "layer output is never used (warning)",
        [UnusedInput] = "input is never used (warning)",
        [NoPreviousOutput] = "no previous output to read",
        [LossReadsInput] = "loss reads an input directly",
    };
}
