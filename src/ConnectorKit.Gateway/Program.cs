using ConnectorKit.Connectors.BatchFile;
using ConnectorKit.Connectors.OpenPlatform;
using ConnectorKit.Connectors.RestJson;

// The connector gateway. ConnectorKit:Gateway:Connector picks the connector; ConnectorKit:Server configures the
// contract side (bank id, store, platform callbacks, authentication) and ConnectorKit:Connectors:{name} the bank side.
// Configuration: appsettings.json, then environment variables (ConnectorKit__Gateway__Connector …), then the
// command line (--ConnectorKit:Gateway:Connector=rest-json).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddConnectorKitGateway(builder.Configuration, new RestJsonConnector(), new OpenPlatformConnector(), new BatchFileConnector());

var app = builder.Build();
app.MapConnectorKitGateway();
app.Run();
