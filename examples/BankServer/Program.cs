using ConnectorKit.Examples.BankServer;

// The reference bank. Configuration: appsettings.json, then environment variables (ConnectorKit__Server__BankId …),
// then the command line (--ConnectorKit:Server:Platform:Address=http://127.0.0.1:5100).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddConnectorKitServer(builder.Configuration.GetSection("ConnectorKit:Server"));
builder.Services.AddOptions<UnderwritingOptions>().Bind(builder.Configuration.GetSection("Underwriting")).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<SandboxOptions>().Bind(builder.Configuration.GetSection("Sandbox"))
    .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.Token), "Sandbox:Token is required when Sandbox:Enabled is true.")
    .ValidateOnStart();

// With the sandbox on, decisions come from the conformance driver instead of the automatic underwriter.
var sandbox = builder.Configuration.GetValue<bool>("Sandbox:Enabled");
if (!sandbox)
{
    builder.Services.AddHostedService<Underwriter>();
}

var app = builder.Build();
app.MapConnectorKitServer();
if (sandbox)
{
    app.MapSandboxDriver();
}

app.Run();
