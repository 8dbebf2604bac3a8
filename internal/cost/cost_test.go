package cost

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// prices is a one-region table with us-east-1's list prices.
var prices = Prices{
	AsOf:    "2026-11-25",
	Sources: []string{"https://aws.amazon.com/privatelink/pricing/"},
	Regions: map[string]RegionPrices{"us-east-1": {
		InterfaceEndpointAZHour:        Dollars(0.01),
		KMSKeyMonth:                    Dollars(1),
		StandardAlarmMetricMonth:       Dollars(0.10),
		HighResolutionAlarmMetricMonth: Dollars(0.30),
		CustomMetricMonth:              Dollars(0.30),
	}},
}

func template(resources string) []byte {
	return []byte(`{"Resources": {` + resources + `}}`)
}

func estimate(t *testing.T, resources string) Breakdown {
	t.Helper()
	b, err := Estimate(template(resources), "us-east-1", prices)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// only returns the single line of a breakdown.
func only(t *testing.T, b Breakdown) Line {
	t.Helper()
	if len(b.Lines) != 1 {
		t.Fatalf("lines = %+v, want one", b.Lines)
	}
	return b.Lines[0]
}

const interfaceEndpoint = `{"Type": "AWS::EC2::VPCEndpoint", "Properties": {
  "ServiceName": "com.amazonaws.us-east-1.bedrock-runtime", "VpcEndpointType": "Interface",
  "SubnetIds": [SUBNETS], "VpcId": {"Ref": "Vpc"}}}`

func TestInterfaceEndpointIsPricedPerZone(t *testing.T) {
	for _, c := range []struct {
		subnets string
		zones   int
		monthly string
	}{
		{`{"Ref": "SubnetA"}`, 1, "$7.30"},
		{`{"Ref": "SubnetA"}, {"Ref": "SubnetB"}`, 2, "$14.60"},
	} {
		b := estimate(t, `"Endpoint": `+strings.Replace(interfaceEndpoint, "SUBNETS", c.subnets, 1))
		l := only(t, b)
		if l.What != "interface endpoint bedrock-runtime" || l.Quantity != c.zones || l.UnitPrice.String() != "$7.30" ||
			l.Monthly.String() != c.monthly || b.Total != l.Monthly {
			t.Errorf("%d zones: line %+v, total %s", c.zones, l, b.Total)
		}
	}
}

func TestServiceNameJoinedWithTheRegion(t *testing.T) {
	b := estimate(t, `"Endpoint": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {
  "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".logs"]]},
  "VpcEndpointType": "Interface", "SubnetIds": [{"Ref": "SubnetA"}]}}`)
	if l := only(t, b); l.What != "interface endpoint logs" {
		t.Errorf("What = %q", l.What)
	}
}

func TestGatewayEndpointIsFree(t *testing.T) {
	b := estimate(t, `
"S3": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway",
  "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]}, "RouteTableIds": [{"Ref": "Table"}]}},
"DynamoDB": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"ServiceName": "com.amazonaws.us-east-1.dynamodb"}}`)
	if len(b.Lines) != 0 || b.Total != 0 {
		t.Errorf("gateway endpoints: %+v", b)
	}
}

func TestKeys(t *testing.T) {
	b := estimate(t, `"A": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": true}},
"B": {"Type": "AWS::KMS::Key", "Properties": {}}`)
	if l := only(t, b); l.Category != Keys || l.Quantity != 2 || l.Monthly.String() != "$2.00" {
		t.Errorf("keys: %+v", l)
	}
}

func TestSimpleAlarm(t *testing.T) {
	for _, c := range []struct {
		period  int
		what    string
		monthly string
	}{
		{300, "CloudWatch alarm metric, standard resolution", "$0.10"},
		{60, "CloudWatch alarm metric, standard resolution", "$0.10"},
		{10, "CloudWatch alarm metric, high resolution", "$0.30"},
	} {
		b := estimate(t, `"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
  "MetricName": "Errors", "Namespace": "AWS/Lambda", "Period": `+strconv.Itoa(c.period)+`, "Statistic": "Sum"}}`)
		if l := only(t, b); l.What != c.what || l.Quantity != 1 || l.Monthly.String() != c.monthly {
			t.Errorf("period %d: %+v", c.period, l)
		}
	}
}

func TestMetricMathAlarmCountsItsMetricsNotItsExpressions(t *testing.T) {
	stat := `{"Id": "mID", "ReturnData": false, "MetricStat": {"Metric": {"MetricName": "InvocationThrottles",
  "Namespace": "AWS/Bedrock"}, "Period": 300, "Stat": "Sum"}}`
	b := estimate(t, `"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Metrics": [
  {"Id": "total", "Expression": "SUM([m0,m1,m2])", "ReturnData": true}, `+
		strings.ReplaceAll(stat, "ID", "0")+`, `+strings.ReplaceAll(stat, "ID", "1")+`, `+strings.ReplaceAll(stat, "ID", "2")+`]}}`)
	if l := only(t, b); l.Quantity != 3 || l.Monthly.String() != "$0.30" || l.Category != Monitoring {
		t.Errorf("metric-math alarm: %+v", l)
	}
}

func TestMetricFiltersPublishCustomMetrics(t *testing.T) {
	filter := `{"Type": "AWS::Logs::MetricFilter", "Properties": {"FilterPattern": "x", "LogGroupName": {"Ref": "Logs"},
  "MetricTransformations": [{"MetricName": "NAME", "MetricNamespace": "App", "MetricValue": "1", "DefaultValue": 0}]}}`
	// Two filters publishing one metric make one billed metric.
	b := estimate(t, `"A": `+strings.Replace(filter, "NAME", "Denied", 1)+`, "B": `+strings.Replace(filter, "NAME", "Attacks", 1)+
		`, "C": `+strings.Replace(filter, "NAME", "Attacks", 1))
	if l := only(t, b); l.What != "CloudWatch custom metric (metric filter)" || l.Quantity != 2 || l.Monthly.String() != "$0.60" {
		t.Errorf("metric filters: %+v", l)
	}
}

func TestLinesAreSortedAndSubtotalled(t *testing.T) {
	b := estimate(t, `
"Sts": `+strings.Replace(strings.Replace(interfaceEndpoint, "bedrock-runtime", "sts", 1), "SUBNETS", `{"Ref": "A"}`, 1)+`,
"Key": {"Type": "AWS::KMS::Key", "Properties": {}},
"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "M", "Period": 300}},
"Runtime": `+strings.Replace(interfaceEndpoint, "SUBNETS", `{"Ref": "A"}, {"Ref": "B"}`, 1))
	var what []string
	for _, l := range b.Lines {
		what = append(what, l.What)
	}
	want := []string{"interface endpoint bedrock-runtime", "interface endpoint sts", "KMS customer-managed key",
		"CloudWatch alarm metric, standard resolution"}
	if !slices.Equal(what, want) {
		t.Errorf("lines = %q, want %q", what, want)
	}
	if b.Subtotal(Endpoints).String() != "$21.90" || b.Subtotal(Keys).String() != "$1.00" ||
		b.Subtotal(Monitoring).String() != "$0.10" || b.Total.String() != "$23.00" {
		t.Errorf("subtotals %s %s %s, total %s", b.Subtotal(Endpoints), b.Subtotal(Keys), b.Subtotal(Monitoring), b.Total)
	}
}

func TestUnpricedAndUnknownTypes(t *testing.T) {
	b := estimate(t, `
"Bucket": {"Type": "AWS::S3::Bucket"},
"Setting": {"Type": "Custom::AWS", "Properties": {}},
"Role": {"Type": "AWS::IAM::Role", "Properties": {}},
"Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}}`)
	if !slices.Equal(b.Unpriced, []string{"AWS::S3::Bucket", "Custom::AWS"}) || !slices.Equal(b.Unknown, []string{"AWS::EC2::NatGateway"}) ||
		b.Total != 0 {
		t.Errorf("unpriced %q, unknown %q, total %s", b.Unpriced, b.Unknown, b.Total)
	}
}

func TestUncountableEndpointIsAnError(t *testing.T) {
	for _, properties := range []string{
		`{"ServiceName": "com.amazonaws.us-east-1.sts", "VpcEndpointType": "Interface"}`,
		`{"ServiceName": "com.amazonaws.us-east-1.sts", "VpcEndpointType": "Interface", "SubnetIds": {"Ref": "Subnets"}}`,
		`{"ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-1", "VpcEndpointType": "GatewayLoadBalancer", "SubnetIds": [{"Ref": "A"}]}`,
	} {
		_, err := Estimate(template(`"Endpoint": {"Type": "AWS::EC2::VPCEndpoint", "Properties": `+properties+`}`), "us-east-1", prices)
		if err == nil || !strings.Contains(err.Error(), "Endpoint (AWS::EC2::VPCEndpoint)") {
			t.Errorf("%s: error %v", properties, err)
		}
	}
}

func TestUnknownRegionNamesTheTableAndTheFix(t *testing.T) {
	p, err := DefaultPrices()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Estimate(template(""), "sa-east-1", p)
	if err == nil {
		t.Fatal("no error for a region without prices")
	}
	for _, want := range []string{`"sa-east-1"`, "ap-northeast-2, eu-west-1, us-east-1, us-east-2, us-west-2",
		"internal/cost/prices.json", "https://aws.amazon.com/kms/pricing/"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestDefaultPrices(t *testing.T) {
	p, err := DefaultPrices()
	if err != nil {
		t.Fatal(err)
	}
	if p.AsOf != "2026-11-25" || len(p.Sources) != 3 {
		t.Errorf("asOf %q, sources %q", p.AsOf, p.Sources)
	}
	if want := prices.Regions["us-east-1"]; p.Regions["us-east-1"] != want {
		t.Errorf("us-east-1 = %+v, want %+v", p.Regions["us-east-1"], want)
	}
	if seoul := p.Regions["ap-northeast-2"].InterfaceEndpointAZHour * hoursPerMonth; seoul.String() != "$9.49" {
		t.Errorf("Seoul endpoint zone-month = %s", seoul)
	}
}

func TestPricesWithAMissingPriceAreRejected(t *testing.T) {
	_, err := parsePrices([]byte(`{"asOf": "2026-11-25", "sources": ["https://aws.amazon.com/kms/pricing/"],
  "regions": {"eu-north-1": {"interfaceEndpointAzHour": 0.011, "kmsKeyMonth": 1}}}`))
	if err == nil || !strings.Contains(err.Error(), "eu-north-1") {
		t.Errorf("error %v", err)
	}
}

func TestMoneyRoundsToTheCent(t *testing.T) {
	for m, want := range map[Money]string{0: "$0.00", 4_999: "$0.00", 5_000: "$0.01", Dollars(12.345): "$12.35", Dollars(153.3): "$153.30"} {
		if m.String() != want {
			t.Errorf("%d = %s, want %s", m, m, want)
		}
	}
}

// TestSnapshotTemplates estimates the golden templates of test/: each interface endpoint in as many
// zones as the fixture configuration gives (dev: interfaceEndpointZones 1; otherwise every zone), and
// every resource type classified.
func TestSnapshotTemplates(t *testing.T) {
	var fixture struct {
		Environments []struct {
			Name                   string   `json:"name"`
			Region                 string   `json:"region"`
			AvailabilityZones      []string `json:"availabilityZones"`
			InterfaceEndpointZones int      `json:"interfaceEndpointZones"`
		} `json:"environments"`
	}
	raw, err := os.ReadFile("../../test/testdata/environments.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &fixture); err != nil {
		t.Fatal(err)
	}
	p, err := DefaultPrices()
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range fixture.Environments {
		t.Run(env.Name, func(t *testing.T) {
			path := "../../test/testdata/" + env.Name + ".template.json"
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var tmpl struct {
				Resources map[string]struct {
					Type       string `json:"Type"`
					Properties struct {
						VpcEndpointType string `json:"VpcEndpointType"`
					} `json:"Properties"`
				} `json:"Resources"`
			}
			if err := json.Unmarshal(raw, &tmpl); err != nil {
				t.Fatal(err)
			}
			endpoints := 0
			for _, r := range tmpl.Resources {
				if r.Type == "AWS::EC2::VPCEndpoint" && r.Properties.VpcEndpointType == "Interface" {
					endpoints++
				}
			}
			zones := env.InterfaceEndpointZones
			if zones == 0 {
				zones = len(env.AvailabilityZones)
			}

			b, err := Estimate(raw, env.Region, p)
			if err != nil {
				t.Fatal(err)
			}
			got := 0
			for _, l := range b.Lines {
				if l.Category == Endpoints {
					got++
					if l.Quantity != zones {
						t.Errorf("%s in %d zones, want %d", l.What, l.Quantity, zones)
					}
				}
			}
			if endpoints == 0 || got != endpoints {
				t.Errorf("%d interface endpoint lines, want the template's %d", got, endpoints)
			}
			if len(b.Unknown) > 0 {
				t.Errorf("unclassified resource types %q: add each to usagePriced, free or a price in internal/cost", b.Unknown)
			}
			if b.Total <= 0 || b.Subtotal(Keys) <= 0 || b.Subtotal(Monitoring) <= 0 {
				t.Errorf("total %s, keys %s, monitoring %s", b.Total, b.Subtotal(Keys), b.Subtotal(Monitoring))
			}
		})
	}
}
