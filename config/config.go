// Package config loads and validates the per-environment configuration that app/ hands to stacks/.
//
// Every mistake in the file is reported at once, before any construct is built, each line naming the
// environment, the field, the bad value and the fix.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// File is the whole configuration file.
type File struct {
	// Project tags every resource and prefixes every stack name.
	Project      string        `json:"project"`
	Environments []Environment `json:"environments"`
}

// Environment is one deployable copy of the architecture: one stack in one account and region.
type Environment struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// AvailabilityZones are given explicitly so synthesis needs no credentials or context lookups.
	AvailabilityZones []string `json:"availabilityZones"`
	VpcCidr           string   `json:"vpcCidr"`
	// Models are foundation-model IDs callers may invoke on demand, e.g. anthropic.claude-3-haiku-20240307-v1:0.
	Models []string `json:"models"`
	// InferenceProfiles are cross-region inference profiles callers may invoke.
	InferenceProfiles []InferenceProfile `json:"inferenceProfiles"`
	// ClientPrincipals are IAM role or user ARNs, besides the test function's role, that the endpoint admits.
	ClientPrincipals []string `json:"clientPrincipals"`
	// EndpointPolicyEffect is Allow, or Deny to reproduce the source blog's deny test.
	EndpointPolicyEffect string `json:"endpointPolicyEffect"`
	// InterfaceEndpoints are optional extra interface endpoints: bedrock, sts, kms, ec2.
	InterfaceEndpoints []string `json:"interfaceEndpoints"`
	// LogRetentionDays applies to every log group of the environment.
	LogRetentionDays int `json:"logRetentionDays"`
	// RemovalPolicy of stateful resources: retain or destroy.
	RemovalPolicy         string `json:"removalPolicy"`
	TerminationProtection bool   `json:"terminationProtection"`
	// InvokerReservedConcurrency caps the test function; 0 reserves none. Lambda keeps 100 executions
	// unreserved, so an account still at the new-account quota of 10 can reserve nothing.
	InvokerReservedConcurrency int               `json:"invokerReservedConcurrency"`
	InvocationLogging          InvocationLogging `json:"invocationLogging"`
}

// InferenceProfile is a cross-region (system-defined) inference profile.
type InferenceProfile struct {
	// ID is the profile ID, e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0.
	ID string `json:"id"`
	// DestinationRegions are the regions the profile may route to; its foundation model must be
	// allowed in each of them.
	DestinationRegions []string `json:"destinationRegions"`
}

// InvocationLogging configures Bedrock model invocation logging, one setting per account and region.
type InvocationLogging struct {
	Enabled bool `json:"enabled"`
	// S3KeyPrefix is where Bedrock writes objects in the log bucket.
	S3KeyPrefix       string `json:"s3KeyPrefix"`
	TextDelivery      bool   `json:"textDelivery"`
	ImageDelivery     bool   `json:"imageDelivery"`
	EmbeddingDelivery bool   `json:"embeddingDelivery"`
	// ObjectLockDays is the governance-mode default retention of the locked copies in the vault bucket.
	ObjectLockDays int `json:"objectLockDays"`
	// ObjectLockOnDeliveryBucket puts the same default retention on the bucket Bedrock writes to, for
	// accounts that have verified Bedrock's delivery into a bucket with a default retention.
	ObjectLockOnDeliveryBucket bool `json:"objectLockOnDeliveryBucket"`
	// TakeOverExistingConfiguration replaces a logging configuration this stack did not create.
	TakeOverExistingConfiguration bool `json:"takeOverExistingConfiguration"`
	// ArchiveAfterDays moves log objects to Glacier Instant Retrieval; 0 keeps them in Standard.
	ArchiveAfterDays int `json:"archiveAfterDays"`
	// ExpireAfterDays deletes log objects; 0 keeps them forever.
	ExpireAfterDays int `json:"expireAfterDays"`
}

// Removal policies.
const (
	Retain  = "retain"
	Destroy = "destroy"
)

// Load reads the file at path and validates every environment in it.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read environment configuration: %w", err)
	}
	return Parse(data)
}

// Parse decodes and validates a configuration. Unknown fields are errors, so a typo never silently
// falls back to a default. Each environment is decoded on its own, so a value of the wrong type is
// reported with the environment it is in, next to every other environment's mistakes.
func Parse(data []byte) (*File, error) {
	var top struct {
		Project      string            `json:"project"`
		Environments []json.RawMessage `json:"environments"`
	}
	if err := strictDecode(data, &top); err != nil {
		return nil, fmt.Errorf("environment configuration: %s", decodeProblem(err))
	}
	f := &File{Project: top.Project}
	var errs []error
	for i, raw := range top.Environments {
		var e Environment
		if err := strictDecode(raw, &e); err != nil {
			var named struct{ Name string }
			name := fmt.Sprintf("#%d", i+1)
			if json.Unmarshal(raw, &named) == nil && named.Name != "" {
				name = named.Name
			}
			errs = append(errs, fmt.Errorf("environment %q: %s", name, decodeProblem(err)))
			continue
		}
		f.Environments = append(f.Environments, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// decodeProblem says what is wrong with a value the decoder refused, and how to write it instead.
func decodeProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		want := map[reflect.Kind]string{
			reflect.Int: "a whole number without quotes, e.g. 2", reflect.Bool: "true or false without quotes",
			reflect.String: `a string in double quotes`, reflect.Slice: "a list in [ ]", reflect.Struct: "an object in { }",
		}[typeErr.Type.Kind()]
		field := typeErr.Field
		if field == "" {
			field = "(the document)"
		}
		return fmt.Sprintf("%s: a JSON %s is not valid here: write %s (see the configuration reference in README.md)", field, typeErr.Value, want)
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Sprintf("unknown field %s: correct its spelling or remove it (see the configuration reference in README.md)", msg)
	}
	return fmt.Sprintf("not valid JSON: %v", err)
}

// Select returns the named environments, or all of them when names is empty.
func (f *File) Select(names []string) ([]Environment, error) {
	if len(names) == 0 {
		return f.Environments, nil
	}
	var picked []Environment
	var errs []error
	for _, name := range names {
		i := slices.IndexFunc(f.Environments, func(e Environment) bool { return e.Name == name })
		if i < 0 {
			errs = append(errs, fmt.Errorf("unknown environment %q: choose one of %s", name, strings.Join(f.names(), ", ")))
			continue
		}
		picked = append(picked, f.Environments[i])
	}
	return picked, errors.Join(errs...)
}

func (f *File) names() []string {
	names := make([]string, len(f.Environments))
	for i, e := range f.Environments {
		names[i] = e.Name
	}
	return names
}

var (
	namePattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	// A foundation-model ID is provider.model[:version], e.g. amazon.titan-text-express-v1 or
	// anthropic.claude-3-haiku-20240307-v1:0.
	modelPattern = regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9][a-z0-9.-]*(:[0-9a-z:-]+)?$`)
	// A system-defined inference profile ID is a geography prefix and a foundation-model ID.
	profilePattern   = regexp.MustCompile(`^(us|eu|apac|jp|au|ca|us-gov|global)\.([a-z0-9-]+\.[a-z0-9][a-z0-9.-]*(:[0-9a-z:-]+)?)$`)
	principalPattern = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	prefixPattern    = regexp.MustCompile(`^[a-zA-Z0-9!_.*'()-]+(/[a-zA-Z0-9!_.*'()-]+)*$`)
)

// CloudWatch Logs accepts only these retention periods.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// OptionalInterfaceEndpoints are the interface endpoints an environment may add.
var OptionalInterfaceEndpoints = []string{"bedrock", "ec2", "kms", "sts"}

// Subnet size the VPC carves per AZ; the VPC must hold one per AZ.
const subnetPrefixLen = 24

// Validate reports every problem in the file at once.
func (f *File) Validate() error {
	var errs []error
	if !namePattern.MatchString(f.Project) {
		errs = append(errs, fmt.Errorf("project: %q is not a valid project name: use 1-20 lower-case letters, digits or hyphens, starting with a letter", f.Project))
	}
	if len(f.Environments) == 0 {
		errs = append(errs, errors.New("environments: the list is empty: define at least one environment"))
	}
	seen := map[string]bool{}
	for _, e := range f.Environments {
		if seen[e.Name] {
			errs = append(errs, fmt.Errorf("environment %q: name: %q is defined twice: give each environment a unique name", e.Name, e.Name))
		}
		seen[e.Name] = true
		errs = append(errs, e.validate()...)
	}
	errs = append(errs, f.validateAcrossEnvironments()...)
	return errors.Join(errs...)
}

func (e Environment) validate() []error {
	var errs []error
	bad := func(field string, value any, fix string) {
		errs = append(errs, fmt.Errorf("environment %q: %s: %v %s", e.Name, field, value, fix))
	}
	if !namePattern.MatchString(e.Name) {
		bad("name", quote(e.Name), "is not a valid name: use 1-20 lower-case letters, digits or hyphens, starting with a letter")
	}
	if !accountPattern.MatchString(e.Account) {
		bad("account", quote(e.Account), "is not an AWS account ID: use the 12-digit account number")
	}
	if !regionPattern.MatchString(e.Region) {
		bad("region", quote(e.Region), "is not an AWS region: use a region code such as us-east-1")
	}
	if len(e.AvailabilityZones) < 2 {
		bad("availabilityZones", e.AvailabilityZones, "lists fewer than 2 zones: list at least 2 zones of the region, e.g. "+e.Region+"a and "+e.Region+"b")
	}
	for i, az := range e.AvailabilityZones {
		suffix, ok := strings.CutPrefix(az, e.Region)
		if !ok || len(suffix) != 1 || suffix[0] < 'a' || suffix[0] > 'z' {
			bad(fmt.Sprintf("availabilityZones[%d]", i), quote(az), "is not a zone of region "+e.Region+": use the region code followed by a zone letter, e.g. "+e.Region+"a")
		}
		if slices.Index(e.AvailabilityZones, az) < i {
			bad(fmt.Sprintf("availabilityZones[%d]", i), quote(az), "is listed twice: list each zone once")
		}
	}
	if prefix, err := netip.ParsePrefix(e.VpcCidr); err != nil || !prefix.Addr().Is4() {
		bad("vpcCidr", quote(e.VpcCidr), "is not an IPv4 CIDR block: use a private block such as 10.20.0.0/16")
	} else if prefix.Masked() != prefix {
		bad("vpcCidr", quote(e.VpcCidr), "has host bits set: use "+prefix.Masked().String())
	} else if prefix.Bits() < 16 || prefix.Bits() > 28 {
		bad("vpcCidr", quote(e.VpcCidr), "is outside the /16 to /28 sizes a VPC accepts: use a /16 to /22 block")
	} else if !prefix.Addr().IsPrivate() {
		bad("vpcCidr", quote(e.VpcCidr), "is not in a private (RFC 1918) range: use a block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
	} else if capacity := subnetCapacity(prefix); capacity < len(e.AvailabilityZones) {
		bad("vpcCidr", quote(e.VpcCidr), fmt.Sprintf("has room for %d /%d subnets but %d zones are listed: use a larger block, e.g. a /%d", capacity, subnetPrefixLen, len(e.AvailabilityZones), 20))
	}
	if len(e.Models) == 0 && len(e.InferenceProfiles) == 0 {
		bad("models", "[]", "is empty and no inferenceProfiles are given: allow at least one model ID, e.g. anthropic.claude-3-haiku-20240307-v1:0")
	}
	for i, m := range e.Models {
		if !modelPattern.MatchString(m) || profilePattern.MatchString(m) {
			bad(fmt.Sprintf("models[%d]", i), quote(m), "is not a foundation-model ID: use provider.model[:version], e.g. anthropic.claude-3-haiku-20240307-v1:0 (inference profiles go in inferenceProfiles)")
		}
		if slices.Index(e.Models, m) < i {
			bad(fmt.Sprintf("models[%d]", i), quote(m), "is listed twice: list each model once")
		}
	}
	for i, p := range e.InferenceProfiles {
		field := fmt.Sprintf("inferenceProfiles[%d]", i)
		if !profilePattern.MatchString(p.ID) {
			bad(field+".id", quote(p.ID), "is not a system inference-profile ID: use a geography prefix and a model ID, e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0")
		}
		if !slices.Contains(p.DestinationRegions, e.Region) {
			bad(field+".destinationRegions", p.DestinationRegions, "does not include the environment's region "+e.Region+": list every region the profile routes to, the source region included")
		}
		for j, r := range p.DestinationRegions {
			if !regionPattern.MatchString(r) {
				bad(fmt.Sprintf("%s.destinationRegions[%d]", field, j), quote(r), "is not an AWS region: use a region code such as us-west-2")
			}
		}
	}
	for i, p := range e.ClientPrincipals {
		if !principalPattern.MatchString(p) {
			bad(fmt.Sprintf("clientPrincipals[%d]", i), quote(p), "is not an IAM role or user ARN: use arn:aws:iam::<12-digit account>:role/<name>")
		} else if !strings.Contains(p, ":"+e.Account+":") {
			bad(fmt.Sprintf("clientPrincipals[%d]", i), quote(p), "is in another account than "+e.Account+": admit only principals of the environment's own account")
		}
	}
	if e.EndpointPolicyEffect != "Allow" && e.EndpointPolicyEffect != "Deny" {
		bad("endpointPolicyEffect", quote(e.EndpointPolicyEffect), `is neither "Allow" nor "Deny": use "Allow", or "Deny" to reproduce the blocked-call test`)
	}
	for i, s := range e.InterfaceEndpoints {
		if !slices.Contains(OptionalInterfaceEndpoints, s) {
			bad(fmt.Sprintf("interfaceEndpoints[%d]", i), quote(s), "is not an optional endpoint this stack offers: use one of "+strings.Join(OptionalInterfaceEndpoints, ", "))
		}
	}
	if !slices.Contains(retentionDays, e.LogRetentionDays) {
		bad("logRetentionDays", e.LogRetentionDays, "is not a retention CloudWatch Logs accepts: use one of "+joinInts(retentionDays)+" (365 or more passes Control Tower's CT.CLOUDWATCH.PR.2)")
	}
	if e.InvokerReservedConcurrency < 0 {
		bad("invokerReservedConcurrency", e.InvokerReservedConcurrency, "is negative: use 0 to reserve none (needed while the account's concurrency quota is below 110), or a small cap such as 2")
	}
	if e.RemovalPolicy != Retain && e.RemovalPolicy != Destroy {
		bad("removalPolicy", quote(e.RemovalPolicy), `is neither "retain" nor "destroy": use "retain" for anything holding data you must keep`)
	}
	e.InvocationLogging.validate(bad)
	return errs
}

func (l InvocationLogging) validate(bad func(field string, value any, fix string)) {
	if !l.Enabled {
		return
	}
	if !prefixPattern.MatchString(l.S3KeyPrefix) {
		bad("invocationLogging.s3KeyPrefix", quote(l.S3KeyPrefix), "is not a plain S3 key prefix: use segments of letters, digits and !_.*'()- separated by /, without leading or trailing /")
	}
	if !l.TextDelivery && !l.ImageDelivery && !l.EmbeddingDelivery {
		bad("invocationLogging", "all delivery flags false", "logs nothing: set textDelivery, imageDelivery or embeddingDelivery, or set enabled to false")
	}
	if l.ObjectLockDays < 1 || l.ObjectLockDays > 36500 {
		bad("invocationLogging.objectLockDays", l.ObjectLockDays, "is outside 1 to 36500: give the days each log object stays locked (governance mode)")
	}
	if l.ArchiveAfterDays < 0 {
		bad("invocationLogging.archiveAfterDays", l.ArchiveAfterDays, "is negative: use 0 to keep objects in S3 Standard, or the days after which they move to Glacier Instant Retrieval")
	}
	if l.ExpireAfterDays != 0 && l.ExpireAfterDays < l.ObjectLockDays {
		bad("invocationLogging.expireAfterDays", l.ExpireAfterDays, fmt.Sprintf("expires objects that are still locked for %d days: use 0 (never) or at least objectLockDays", l.ObjectLockDays))
	}
	if l.ExpireAfterDays != 0 && l.ArchiveAfterDays != 0 && l.ExpireAfterDays <= l.ArchiveAfterDays {
		bad("invocationLogging.expireAfterDays", l.ExpireAfterDays, "is not after archiveAfterDays: expire later than you archive, or set archiveAfterDays to 0")
	}
}

// validateAcrossEnvironments finds conflicts between environments: overlapping address space (they may
// be connected later) and invocation logging, which is a single setting per account and region.
func (f *File) validateAcrossEnvironments() []error {
	var errs []error
	for i, a := range f.Environments {
		pa, errA := netip.ParsePrefix(a.VpcCidr)
		for _, b := range f.Environments[i+1:] {
			if pb, errB := netip.ParsePrefix(b.VpcCidr); errA == nil && errB == nil && pa.Overlaps(pb) {
				errs = append(errs, fmt.Errorf("environment %q: vpcCidr: %q overlaps environment %q's %q: give each environment its own block so they can be peered or attached to a transit gateway", b.Name, b.VpcCidr, a.Name, a.VpcCidr))
			}
			if a.InvocationLogging.Enabled && b.InvocationLogging.Enabled && a.Account == b.Account && a.Region == b.Region {
				errs = append(errs, fmt.Errorf("environment %q: invocationLogging.enabled: true, but environment %q already configures invocation logging in account %s region %s, and Bedrock keeps one configuration per account and region: set enabled to false in one of them", b.Name, a.Name, a.Account, a.Region))
			}
		}
	}
	return errs
}

// subnetCapacity is how many subnets of subnetPrefixLen fit in the block.
func subnetCapacity(block netip.Prefix) int {
	if block.Bits() > subnetPrefixLen {
		return 0
	}
	return 1 << (subnetPrefixLen - block.Bits())
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func joinInts(values []int) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ", ")
}
