namespace ConnectorKit.Server.Validation.Internal;

/// <summary>The punctuation the contract allows besides ASCII letters and digits in identifiers.</summary>
internal static class Identifiers
{
    /// <summary>[A-Za-z0-9._:-]: request, consent, application and event ids.</summary>
    public const string IdPunctuation = "._:-";

    /// <summary>[A-Za-z0-9._-]: bank, source, indicator and programme codes.</summary>
    public const string CodePunctuation = "._-";
}
