// Package limits checks a synthesized cloud assembly (cdk.out) against what AWS refuses only when a
// stack deploys: CloudFormation's quotas on a template, and the sizes of the policies a template
// carries. A synthesis that passes is not stopped for those reasons halfway through a deployment.
//
// A policy is measured as AWS receives it: its intrinsics resolved (internal/cfnresolve), serialized
// as compact JSON. Where AWS picks a value at deployment (the name of a role or bucket the template
// does not name, a key or endpoint ID), it counts at its longest, so a policy that passes here also
// fits with the names AWS gives. How CloudFormation serializes a document for the service is not
// documented; compact JSON is the least white space it can have, which matters only for the limits
// that count white space, and only within a few per cent of them.
package limits

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/privatebedrock/stack/internal/assembly"
)

// Limit is a limit AWS enforces at deployment.
type Limit struct {
	// Name says what is limited.
	Name string
	Max  int
	// Unit is what Max counts.
	Unit string
	// Fix says what to do when a stack exceeds the limit.
	Fix string
	// inBytes counts UTF-8 bytes instead of characters; withoutSpace leaves white space uncounted.
	inBytes, withoutSpace bool
}

// CloudFormation's quotas on a template:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
var (
	Resources = &Limit{Name: "resources in a template", Max: 500, Unit: "resources",
		Fix: "split the stack (move part of it to a nested or a second stack), or leave optional parts out of the environment"}
	Outputs = &Limit{Name: "outputs in a template", Max: 200, Unit: "outputs",
		Fix: "remove outputs nothing reads, or move some to a second stack"}
	Parameters = &Limit{Name: "parameters in a template", Max: 200, Unit: "parameters",
		Fix: "pass values as context or literals instead of parameters"}
	Mappings = &Limit{Name: "mappings in a template", Max: 200, Unit: "mappings",
		Fix: "merge mappings, or move some to a second stack"}
	// TemplateSize is the quota on a template CloudFormation reads from S3, "1 MB", read as the
	// smaller 1,000,000 bytes (cfn-lint's E1002 does the same). The 51,200 bytes of a template in the
	// request do not apply: the CDK CLI passes a bootstrapped stack's template by its S3 URL, the
	// manifest's stackTemplateAssetObjectUrl (makeBodyParameter in node_modules/aws-cdk/lib/index.js),
	// having uploaded the file as synthesis wrote it.
	TemplateSize = &Limit{Name: "template size", Max: 1_000_000, Unit: "bytes", inBytes: true,
		Fix: "split the stack (move part of it to a nested or a second stack)"}
)

// PipelineTemplateSize is the size of a template a CodePipeline CloudFormation action deploys from its
// artifact: 512 KB, not CloudFormation's 1 MB, as AWS's own CloudFormation roadmap records
// (https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/1023, open); read as the
// smaller 512,000 bytes. The CodePipeline quotas page gives no figure.
var PipelineTemplateSize = &Limit{Name: "template size in a CodePipeline deployment", Max: 512_000, Unit: "bytes", inBytes: true,
	Fix: "split the environment's stack, or deploy it with cdk deploy, which passes 1 MB through S3"}

// The sizes of policy documents.
var (
	// EndpointPolicy: "The size of an endpoint policy cannot exceed 20,480 characters, including
	// white space." https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
	EndpointPolicy = &Limit{Name: "VPC endpoint policy", Max: 20_480, Unit: "characters",
		Fix: "admit fewer principals or models through the endpoint (each client principal, access role, model and inference-profile region adds an ARN)"}
	// ManagedPolicy: 6,144 characters (https://repost.aws/knowledge-center/iam-increase-policy-size),
	// white space not counted (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
	ManagedPolicy = &Limit{Name: "IAM managed policy", Max: 6_144, Unit: "characters without white space", withoutSpace: true,
		Fix: "split the policy into several managed policies, or narrow its statements"}
	// RoleInlinePolicies: a role's inline policies together, RolePolicySizeQuota 10,240 in
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/iam_example_iam_GetAccountSummary_section.html,
	// white space not counted (reference_iam-quotas.html, above). aws-cdk-lib splits a role's default
	// policy before it reaches this; the policies a construct attaches itself add up here.
	RoleInlinePolicies = &Limit{Name: "inline policies of an IAM role together", Max: 10_240, Unit: "characters without white space", withoutSpace: true,
		Fix: "move statements into a managed policy attached to the role, or narrow them"}
	// TrustPolicy: a role's trust policy, "Role trust policy length: 2,048 characters" by default (a
	// quota that can be raised to 4,096), white space not counted.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
	TrustPolicy = &Limit{Name: "IAM role trust policy", Max: 2_048, Unit: "characters without white space", withoutSpace: true,
		Fix: "trust fewer principals (an identity account's role rather than each user), or raise the account's quota (Service Quotas, IAM, Role trust policy length, up to 4,096) and say so in a comment here"}
	// BucketPolicy: "Bucket policies are limited to 20 KB in size", read as the smaller 20,000 bytes.
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html
	BucketPolicy = &Limit{Name: "S3 bucket policy", Max: 20_000, Unit: "bytes", inBytes: true,
		Fix: "narrow the bucket policy: fewer principals, resources or statements"}
	// KeyPolicy: "Up to 32 kilobytes (32,768 bytes)".
	// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
	KeyPolicy = &Limit{Name: "KMS key policy", Max: 32_768, Unit: "bytes", inBytes: true,
		Fix: "narrow the key policy: fewer principals or statements, or grant through IAM policies"}
)

// policyDocuments are the resource types whose policy document, in the property named, has a limit of
// its own.
var policyDocuments = map[string]struct {
	property string
	limit    *Limit
}{
	"AWS::EC2::VPCEndpoint":   {"PolicyDocument", EndpointPolicy},
	"AWS::IAM::ManagedPolicy": {"PolicyDocument", ManagedPolicy},
	"AWS::IAM::Role":          {"AssumeRolePolicyDocument", TrustPolicy},
	"AWS::S3::BucketPolicy":   {"PolicyDocument", BucketPolicy},
	"AWS::KMS::Key":           {"KeyPolicy", KeyPolicy},
}

// Measurement is what a stack has of something limited.
type Measurement struct {
	// Stack is the stack's display name.
	Stack string
	// Resource is the logical ID of the resource measured (for RoleInlinePolicies, of the role), empty
	// for the template as a whole.
	Resource string
	Limit    *Limit
	Value    int
}

// Exceeded says whether AWS would refuse the stack for this measurement.
func (m Measurement) Exceeded() bool { return m.Value > m.Limit.Max }

func (m Measurement) String() string {
	where := "stack " + m.Stack
	if m.Resource != "" {
		where += ", resource " + m.Resource
	}
	return fmt.Sprintf("%s: %s: %d %s, above the %d AWS accepts: %s", where, m.Limit.Name, m.Value, m.Limit.Unit, m.Limit.Max, m.Limit.Fix)
}

// Check returns an error naming every limit a stack of the cloud assembly in dir exceeds, or nil.
func Check(dir string) error {
	measurements, err := Measure(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range measurements {
		if m.Exceeded() {
			errs = append(errs, errors.New(m.String()))
		}
	}
	return errors.Join(errs...)
}

// Measure measures every stack of the cloud assembly in dir, nested assemblies included, against
// every limit that applies to it.
func Measure(dir string) ([]Measurement, error) {
	stacks, err := assembly.Stacks(dir)
	if err != nil {
		return nil, err
	}
	var all []Measurement
	deployed := map[string]bool{} // template paths a pipeline's CloudFormation actions deploy
	size := map[string]int{}      // each stack's template size, by display name
	for _, s := range stacks {
		measurements, err := measureStack(s, deployed)
		if err != nil {
			return nil, fmt.Errorf("limits: stack %s: %w", s.DisplayName, err)
		}
		for _, m := range measurements {
			if m.Limit == TemplateSize {
				size[s.DisplayName] = m.Value
			}
		}
		all = append(all, measurements...)
	}
	// Which templates a pipeline deploys is known once every stack, the pipeline's among them, is read.
	for _, s := range stacks {
		if rel, err := filepath.Rel(dir, s.TemplatePath); err == nil && deployed[filepath.ToSlash(rel)] {
			all = append(all, Measurement{Stack: s.DisplayName, Limit: PipelineTemplateSize, Value: size[s.DisplayName]})
		}
	}
	return all, nil
}

// pipelineTemplates adds to deployed the template files, relative to the cloud assembly, that the
// CloudFormation actions of a pipeline resource deploy: its TemplatePath is "<artifact>::<file>".
func pipelineTemplates(res resource, deployed map[string]bool) {
	stages, _ := res.Properties["Stages"].([]any)
	for _, stage := range stages {
		actions, _ := stage.(map[string]any)["Actions"].([]any)
		for _, a := range actions {
			configuration, _ := a.(map[string]any)["Configuration"].(map[string]any)
			if path, ok := configuration["TemplatePath"].(string); ok {
				if _, file, found := strings.Cut(path, "::"); found {
					deployed[file] = true
				}
			}
		}
	}
}

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

func measureStack(s assembly.Stack, deployed map[string]bool) ([]Measurement, error) {
	raw, err := os.ReadFile(s.TemplatePath)
	if err != nil {
		return nil, err
	}
	var t struct {
		Resources                     map[string]resource
		Outputs, Parameters, Mappings map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", s.TemplatePath, err)
	}
	template := func(l *Limit, value int) Measurement {
		return Measurement{Stack: s.DisplayName, Limit: l, Value: value}
	}
	measurements := []Measurement{
		template(TemplateSize, len(raw)),
		template(Resources, len(t.Resources)),
		template(Outputs, len(t.Outputs)),
		template(Parameters, len(t.Parameters)),
		template(Mappings, len(t.Mappings)),
	}
	r, err := newResolver(raw, s)
	if err != nil {
		return nil, err
	}
	size := func(l *Limit, doc any) int { return l.size(r.resolve(doc)) }
	inline := map[string]int{} // role → its inline policies' size
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		res := t.Resources[id]
		if p, ok := policyDocuments[res.Type]; ok {
			if doc, ok := res.Properties[p.property]; ok {
				measurements = append(measurements, Measurement{Stack: s.DisplayName, Resource: id, Limit: p.limit, Value: size(p.limit, doc)})
			}
		}
		switch res.Type {
		case "AWS::CodePipeline::Pipeline":
			pipelineTemplates(res, deployed)
		case "AWS::IAM::Role":
			policies, _ := res.Properties["Policies"].([]any)
			for _, p := range policies {
				if p, ok := p.(map[string]any); ok {
					inline[id] += size(RoleInlinePolicies, p["PolicyDocument"])
				}
			}
		case "AWS::IAM::Policy":
			roles, _ := res.Properties["Roles"].([]any)
			policySize := size(RoleInlinePolicies, res.Properties["PolicyDocument"])
			for _, role := range roles {
				inline[roleKey(role)] += policySize
			}
		}
	}
	for _, role := range slices.Sorted(maps.Keys(inline)) {
		measurements = append(measurements, Measurement{Stack: s.DisplayName, Resource: role, Limit: RoleInlinePolicies, Value: inline[role]})
	}
	return measurements, nil
}

// roleKey names a role an AWS::IAM::Policy attaches to: a role of the template by its logical ID, any
// other by the name given.
func roleKey(role any) string {
	if ref, ok := role.(map[string]any); ok {
		if id, ok := ref["Ref"].(string); ok {
			return id
		}
	}
	text, _ := json.Marshal(role)
	return strings.Trim(string(text), `"`)
}

// size measures a policy document, already resolved, as compact JSON, or as the string it is given as.
func (l *Limit) size(doc any) int {
	text, ok := doc.(string)
	if !ok {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		// IAM keeps <, > and & as they are; Marshal would count each as six characters.
		enc.SetEscapeHTML(false)
		_ = enc.Encode(doc) // a value decoded from JSON always encodes
		text = strings.TrimSuffix(b.String(), "\n")
	}
	if l.withoutSpace {
		text = strings.Join(strings.Fields(text), "")
	}
	if l.inBytes {
		return len(text)
	}
	return utf8.RuneCountInString(text)
}
