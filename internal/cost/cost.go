// Package cost estimates what a synthesized CloudFormation template costs per month before any
// traffic, from the list prices in prices.json.
//
// Priced: interface VPC endpoints (per zone, 730 hours a month), customer-managed KMS keys, the metrics
// CloudWatch alarms evaluate, and the custom metrics that metric filters publish. Every other resource
// type in this project's templates is either free or priced only by use; a type the package does not
// know is reported in Breakdown.Unknown so that a new fixed-price resource is not silently left out.
package cost

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/privatebedrock/stack/internal/cfnresolve"
)

// hoursPerMonth is the month of the AWS pricing pages.
const hoursPerMonth = 730

// Category groups the lines the way the README's cost table has columns.
type Category int

const (
	Endpoints  Category = iota // interface VPC endpoints
	Keys                       // KMS keys
	Monitoring                 // CloudWatch alarm metrics and custom metrics
)

// Line is one priced item of a template.
type Line struct {
	Category Category
	// What names the item, e.g. "interface endpoint bedrock-runtime".
	What     string
	Quantity int
	// Unit is what Quantity counts: AZ, key, metric.
	Unit string
	// UnitPrice is per unit per month; an endpoint zone's is the hourly price × 730.
	UnitPrice Money
	Monthly   Money
}

// Breakdown is the fixed monthly cost of one template in one region.
type Breakdown struct {
	Region string
	// Lines are sorted by category, then by What.
	Lines []Line
	Total Money
	// Unpriced are the resource types present that cost only with use (storage, requests, data).
	Unpriced []string
	// Unknown are the resource types present that this package has not classified; they are counted
	// as free, which is wrong if one has a fixed price.
	Unknown []string
}

// Subtotal sums the lines of one category.
func (b Breakdown) Subtotal(c Category) Money {
	var sum Money
	for _, l := range b.Lines {
		if l.Category == c {
			sum += l.Monthly
		}
	}
	return sum
}

// usagePriced are the types present in this project's templates that cost only with use.
var usagePriced = map[string]bool{
	"AWS::Bedrock::Guardrail": true, // per text unit evaluated
	// V2 pipelines bill action execution minutes, CodeBuild build minutes: nothing while no commit runs.
	"AWS::CodeBuild::Project":     true,
	"AWS::CodePipeline::Pipeline": true,
	"AWS::EC2::FlowLog":           true, // the log data delivered
	"AWS::Events::Rule":           true, // AWS service events are free; custom events per million
	"AWS::Lambda::Function":       true, // requests and duration; no provisioned concurrency here
	"AWS::Logs::LogGroup":         true, // ingestion and storage
	"AWS::S3::Bucket":             true, // storage and requests
	"AWS::SNS::Topic":             true, // publishes and deliveries
	"AWS::SQS::Queue":             true, // requests
}

// free are the types present in this project's templates that cost nothing by themselves.
var free = map[string]bool{
	"AWS::Bedrock::EnforcedGuardrailConfiguration": true,
	"AWS::Bedrock::GuardrailVersion":               true,
	"AWS::Bedrock::ResourcePolicy":                 true,
	"AWS::CDK::Metadata":                           true,
	"AWS::EC2::RouteTable":                         true,
	"AWS::EC2::SecurityGroup":                      true,
	"AWS::EC2::SecurityGroupEgress":                true,
	"AWS::EC2::SecurityGroupIngress":               true,
	"AWS::EC2::Subnet":                             true,
	"AWS::EC2::SubnetRouteTableAssociation":        true,
	"AWS::EC2::VPC":                                true, // no NAT gateway or public IPv4 address
	"AWS::IAM::Policy":                             true,
	"AWS::IAM::Role":                               true,
	"AWS::S3::BucketPolicy":                        true,
	"AWS::SNS::TopicPolicy":                        true,
	"AWS::SQS::QueuePolicy":                        true,
}

// Estimate prices the resources of a CloudFormation template (JSON) that cost the same every month
// whatever the traffic, at the list prices of region.
//
// A KMS key is priced at the key-month price alone, its first year's price: with rotation on, each of
// the first two rotations (a year apart by default) adds the key-month price again, so a rotated key
// costs twice as much in its second year and three times from its third. That depends on the key's
// age, not on the template, so the estimate leaves the rotation charge out rather than average it.
func Estimate(template []byte, region string, prices Prices) (Breakdown, error) {
	rp, err := prices.region(region)
	if err != nil {
		return Breakdown{}, err
	}
	var t struct {
		Resources map[string]struct {
			Type       string          `json:"Type"`
			Properties json.RawMessage `json:"Properties"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(template, &t); err != nil {
		return Breakdown{}, fmt.Errorf("cost: template: %w", err)
	}
	resolver, err := cfnresolve.New(template, cfnresolve.Deployment{Partition: "aws", Region: region})
	if err != nil {
		return Breakdown{}, err
	}

	zones := map[string]int{} // interface endpoint service → zones summed over its endpoints
	metrics := map[string]bool{}
	var keys, standard, highResolution int
	unpriced, unknown := map[string]bool{}, map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		r := t.Resources[id]
		var err error
		switch {
		case r.Type == "AWS::EC2::VPCEndpoint":
			err = endpoint(r.Properties, resolver, region, zones)
		case r.Type == "AWS::KMS::Key":
			keys++
		case r.Type == "AWS::CloudWatch::Alarm":
			var s, h int
			s, h, err = alarmMetrics(r.Properties)
			standard, highResolution = standard+s, highResolution+h
		case r.Type == "AWS::Logs::MetricFilter":
			err = filterMetrics(r.Properties, metrics)
		case usagePriced[r.Type] || strings.HasPrefix(r.Type, "Custom::"):
			// A custom resource's cost is its provider function running at deployment.
			unpriced[r.Type] = true
		case free[r.Type]:
		default:
			unknown[r.Type] = true
		}
		if err != nil {
			return Breakdown{}, fmt.Errorf("cost: %s (%s): %w", id, r.Type, err)
		}
	}

	b := Breakdown{Region: region, Unpriced: slices.Sorted(maps.Keys(unpriced)), Unknown: slices.Sorted(maps.Keys(unknown))}
	for service, n := range zones {
		b.add(Endpoints, "interface endpoint "+service, n, "AZ", rp.InterfaceEndpointAZHour*hoursPerMonth)
	}
	b.add(Keys, "KMS customer-managed key", keys, "key", rp.KMSKeyMonth)
	b.add(Monitoring, "CloudWatch alarm metric, standard resolution", standard, "metric", rp.StandardAlarmMetricMonth)
	b.add(Monitoring, "CloudWatch alarm metric, high resolution", highResolution, "metric", rp.HighResolutionAlarmMetricMonth)
	b.add(Monitoring, "CloudWatch custom metric (metric filter)", len(metrics), "metric", rp.CustomMetricMonth)
	slices.SortFunc(b.Lines, func(x, y Line) int {
		return cmp.Or(cmp.Compare(x.Category, y.Category), strings.Compare(x.What, y.What))
	})
	return b, nil
}

// add appends a line unless there is nothing to count.
func (b *Breakdown) add(c Category, what string, quantity int, unit string, unitPrice Money) {
	if quantity == 0 {
		return
	}
	monthly := Money(quantity) * unitPrice
	b.Lines = append(b.Lines, Line{Category: c, What: what, Quantity: quantity, Unit: unit, UnitPrice: unitPrice, Monthly: monthly})
	b.Total += monthly
}

// endpoint adds an interface endpoint's zones under its service's short name (logs, sts). An
// endpoint has one network interface per subnet, at most one subnet per zone, and each is billed by
// the hour. Gateway endpoints (S3, DynamoDB) are free.
func endpoint(properties json.RawMessage, resolver *cfnresolve.Resolver, region string, zones map[string]int) error {
	var p struct {
		ServiceName     any    `json:"ServiceName"`
		VpcEndpointType string `json:"VpcEndpointType"`
		SubnetIDs       any    `json:"SubnetIds"`
	}
	if err := json.Unmarshal(properties, &p); err != nil {
		return err
	}
	switch p.VpcEndpointType {
	case "", "Gateway": // CloudFormation's default type is Gateway
		return nil
	case "Interface":
	default:
		return fmt.Errorf("endpoint type %s is not priced: add it to internal/cost", p.VpcEndpointType)
	}
	subnets, ok := p.SubnetIDs.([]any)
	if !ok || len(subnets) == 0 {
		return fmt.Errorf("SubnetIds is not a list of subnets, so its zones cannot be counted")
	}
	resolved, err := resolver.Resolve(p.ServiceName)
	if err != nil {
		return fmt.Errorf("ServiceName: %w", err)
	}
	name, ok := resolved.(string)
	if !ok {
		return fmt.Errorf("ServiceName is not a string")
	}
	zones[strings.TrimPrefix(name, "com.amazonaws."+region+".")] += len(subnets)
	return nil
}

// alarmMetrics counts the metrics an alarm evaluates, which is what CloudWatch bills: one for an alarm
// on a metric, one per MetricStat of a metric-math alarm (its expressions are free). A metric evaluated
// over less than a minute makes a high-resolution alarm metric.
func alarmMetrics(properties json.RawMessage) (standard, highResolution int, err error) {
	var p struct {
		Period  float64 `json:"Period"`
		Metrics []struct {
			MetricStat *struct {
				Period float64 `json:"Period"`
			} `json:"MetricStat"`
		} `json:"Metrics"`
	}
	if err := json.Unmarshal(properties, &p); err != nil {
		return 0, 0, err
	}
	count := func(period float64) {
		if period > 0 && period < 60 {
			highResolution++
		} else {
			standard++
		}
	}
	if len(p.Metrics) == 0 {
		count(p.Period)
	}
	for _, m := range p.Metrics {
		if m.MetricStat != nil {
			count(m.MetricStat.Period)
		}
	}
	return standard, highResolution, nil
}

// filterMetrics records the custom metrics a metric filter publishes, by namespace and name, since two
// filters publishing one metric make one billed metric. CloudWatch bills a custom metric only in the
// hours it receives data, but these filters set DefaultValue, so any log event publishes: as good as
// fixed. A filter with Dimensions would publish one metric per value seen; none here has any.
func filterMetrics(properties json.RawMessage, metrics map[string]bool) error {
	var p struct {
		MetricTransformations []struct {
			MetricNamespace any `json:"MetricNamespace"`
			MetricName      any `json:"MetricName"`
		} `json:"MetricTransformations"`
	}
	if err := json.Unmarshal(properties, &p); err != nil {
		return err
	}
	for _, m := range p.MetricTransformations {
		metrics[fmt.Sprint(m.MetricNamespace, "\x00", m.MetricName)] = true
	}
	return nil
}
