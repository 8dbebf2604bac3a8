// Package cfnresolve replaces the CloudFormation intrinsics in values of a template with the literals
// a deployment gives them, for tools that only read literal JSON, such as the offline IAM evaluator,
// and for comparing a deployed template with what AWS reports (cmd/verify).
//
// It resolves the pseudo parameters AWS::Partition, AWS::Region, AWS::AccountId and AWS::URLSuffix,
// Ref and Fn::GetAtt Arn of the resource types whose names policies use (IAM roles, S3 buckets, KMS
// keys, log groups, and Ref of VPC endpoints), and Fn::Join. For a synthesized template, physical
// names that CloudFormation generates are stand-ins made from the logical ID: stable and recognisable,
// not what AWS would pick; or, with Deployment.Longest, as long as AWS makes them. For a deployed stack (Deployment.Stack), they are the stack's physical IDs
// and output values instead, and nothing is made up. Anything else is an error naming the intrinsic,
// so that a policy is never evaluated half-resolved.
package cfnresolve

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrUnresolvable is what the errors of a value the resolver cannot resolve wrap.
var ErrUnresolvable = errors.New("cannot resolve")

// Deployment is where the template is deployed: the values of its pseudo parameters.
type Deployment struct {
	// Partition is aws, aws-cn or aws-us-gov.
	Partition string
	Region    string
	Account   string
	// Stack, when set, is the deployed stack the template is the template of: what CloudFormation
	// made of its resources replaces the stand-ins.
	Stack *Stack
	// Longest makes the stand-ins for what AWS picks as long as AWS makes them, for measuring the
	// size of what a template becomes (internal/limits) rather than recognising its parts.
	Longest bool
}

// The longest values AWS picks, which Deployment.Longest stands in.
const (
	// longestRoleName is IAM's limit on a role name, to which CloudFormation cuts the names it makes.
	longestRoleName = 64
	// longestBucketName is S3's limit on a bucket name, likewise.
	longestBucketName = 63
	// longestKeyID is a KMS key ID, a UUID.
	longestKeyID = "00000000-0000-0000-0000-000000000000"
	// longestEndpointID is a VPC endpoint ID: vpce- and 17 hexadecimal digits.
	longestEndpointID = "vpce-0123456789abcdef0"
)

// Stack is what a deployed stack tells of its resources.
type Stack struct {
	// Name is AWS::StackName.
	Name string
	// PhysicalIDs maps logical resource IDs to physical ones, as ListStackResources lists them: a
	// resource's Ref, and the name its Arn is made of. A resource not listed resolves to nothing.
	PhysicalIDs map[string]string
	// Outputs maps output keys to their deployed values, as DescribeStacks lists them. The template's
	// Outputs say what each is the value of, so an expression a deployed output has as its value
	// resolves to that value, e.g. a guardrail's Fn::GetAtt GuardrailArn.
	Outputs map[string]string
}

// Resolver resolves the intrinsics of one template for one deployment.
type Resolver struct {
	deployment Deployment
	resources  map[string]resource
	// outputs maps each deployed output's expression in the template, as JSON, to its value.
	outputs map[string]string
}

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
}

// New reads the resources of a CloudFormation template in JSON, and the outputs of a deployed one.
func New(template []byte, d Deployment) (*Resolver, error) {
	var t struct {
		Resources map[string]resource `json:"Resources"`
		Outputs   map[string]struct {
			Value any `json:"Value"`
		} `json:"Outputs"`
	}
	if err := json.Unmarshal(template, &t); err != nil {
		return nil, fmt.Errorf("cfnresolve: template: %w", err)
	}
	r := &Resolver{deployment: d, resources: t.Resources, outputs: map[string]string{}}
	if d.Stack != nil {
		for key, o := range t.Outputs {
			if value, ok := d.Stack.Outputs[key]; ok {
				if expr, err := json.Marshal(o.Value); err == nil {
					r.outputs[string(expr)] = value
				}
			}
		}
	}
	return r, nil
}

// Resources are the properties of the template's resources of a type, by logical ID.
func (r *Resolver) Resources(resourceType string) map[string]map[string]any {
	found := map[string]map[string]any{}
	for id, res := range r.resources {
		if res.Type == resourceType {
			found[id] = res.Properties
		}
	}
	return found
}

// Resolve returns v, a value decoded from template JSON, with every intrinsic in it replaced by a
// literal string. v itself is not modified.
func (r *Resolver) Resolve(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var err error
			if out[i], err = r.Resolve(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				if fn == "Ref" || strings.HasPrefix(fn, "Fn::") {
					return r.intrinsic(fn, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			var err error
			if out[k], err = r.Resolve(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

func (r *Resolver) intrinsic(fn string, arg any) (string, error) {
	text, _ := json.Marshal(map[string]any{fn: arg})
	if v, ok := r.outputs[string(text)]; ok {
		return v, nil
	}
	fail := fmt.Errorf("%w %s", ErrUnresolvable, text)
	switch fn {
	case "Ref":
		if id, ok := arg.(string); ok {
			return r.ref(id, fail)
		}
	case "Fn::GetAtt":
		if a, ok := arg.([]any); ok && len(a) == 2 {
			if id, ok := a[0].(string); ok {
				return r.attribute(id, a[1], fail)
			}
		}
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return "", fail
		}
		sep, ok := a[0].(string)
		list, isList := a[1].([]any)
		if !ok || !isList {
			return "", fail
		}
		parts := make([]string, len(list))
		for i, e := range list {
			v, err := r.Resolve(e)
			if err != nil {
				return "", err
			}
			if parts[i], ok = v.(string); !ok {
				return "", fail
			}
		}
		return strings.Join(parts, sep), nil
	}
	return "", fail
}

func (r *Resolver) ref(id string, fail error) (string, error) {
	d := r.deployment
	switch id {
	case "AWS::Partition":
		return d.Partition, nil
	case "AWS::Region":
		return d.Region, nil
	case "AWS::AccountId":
		return d.Account, nil
	case "AWS::URLSuffix":
		if d.Partition == "aws-cn" {
			return "amazonaws.com.cn", nil
		}
		return "amazonaws.com", nil
	}
	if d.Stack != nil {
		if id == "AWS::StackName" && d.Stack.Name != "" {
			return d.Stack.Name, nil
		}
		if physical, ok := d.Stack.PhysicalIDs[id]; ok {
			return physical, nil
		}
		return "", fail
	}
	res, ok := r.resources[id]
	if !ok {
		return "", fail
	}
	// standIn is what AWS picks: recognisable, or at its longest.
	standIn := func(recognisable, longest string) string {
		if d.Longest {
			return longest
		}
		return recognisable
	}
	switch res.Type {
	case "AWS::EC2::VPCEndpoint":
		return standIn("vpce-"+strings.ToLower(id), longestEndpointID), nil
	case "AWS::KMS::Key":
		return standIn(strings.ToLower(id), longestKeyID), nil
	case "AWS::S3::Bucket":
		// A bucket's Ref is its name: the one given, or one CloudFormation generates.
		if name, ok := res.Properties["BucketName"].(string); ok {
			return name, nil
		}
		return standIn(strings.ToLower(id), strings.Repeat("b", longestBucketName)), nil
	case "AWS::IAM::Role":
		// A role's Ref is its name: the one given, or one CloudFormation generates.
		if name, ok := res.Properties["RoleName"].(string); ok {
			return name, nil
		}
		return standIn(id, strings.Repeat("r", longestRoleName)), nil
	case "AWS::SNS::Topic":
		// A topic's Ref is its ARN; the stack names its topics.
		if name, ok := res.Properties["TopicName"].(string); ok {
			return fmt.Sprintf("arn:%s:sns:%s:%s:%s", d.Partition, d.Region, d.Account, name), nil
		}
	case "AWS::Logs::LogGroup":
		if name, ok := res.Properties["LogGroupName"].(string); ok {
			return name, nil
		}
		return id, nil
	}
	return "", fail
}

// attribute resolves Fn::GetAtt: every resource's Arn, and the guardrail attributes policies compare
// against. A version's guardrail is the one its GuardrailIdentifier names. Of a synthesized template,
// a guardrail version is version 1; of a deployed stack, a guardrail's attributes are what its outputs
// say.
func (r *Resolver) attribute(id string, attr any, fail error) (string, error) {
	res, ok := r.resources[id]
	if !ok {
		return "", fail
	}
	standIn := r.deployment.Stack == nil
	switch {
	case attr == "Arn":
		return r.arn(id, fail)
	case standIn && res.Type == "AWS::Bedrock::Guardrail" && attr == "GuardrailArn":
		d := r.deployment
		return fmt.Sprintf("arn:%s:bedrock:%s:%s:guardrail/%s", d.Partition, d.Region, d.Account, strings.ToLower(id)), nil
	case standIn && res.Type == "AWS::Bedrock::Guardrail" && attr == "GuardrailId":
		return strings.ToLower(id), nil
	case standIn && res.Type == "AWS::Bedrock::GuardrailVersion" && attr == "Version":
		return "1", nil
	case res.Type == "AWS::Bedrock::GuardrailVersion" && attr == "GuardrailArn":
		// GuardrailIdentifier names the guardrail by an attribute, e.g. its ID; the ARN is that
		// guardrail's. Any other form is no guardrail this resolver knows.
		identifier, _ := res.Properties["GuardrailIdentifier"].(map[string]any)
		if ga, ok := identifier["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			if guardrail, ok := ga[0].(string); ok {
				if arn, err := r.intrinsic("Fn::GetAtt", []any{guardrail, "GuardrailArn"}); err == nil {
					return arn, nil
				}
			}
		}
	}
	return "", fail
}

func (r *Resolver) arn(id string, fail error) (string, error) {
	name, err := r.ref(id, fail)
	if err != nil {
		return "", err
	}
	d := r.deployment
	switch res := r.resources[id]; res.Type {
	case "AWS::IAM::Role":
		// A role's ARN adds its path to its name.
		path, _ := res.Properties["Path"].(string)
		if path == "" {
			path = "/"
		}
		return fmt.Sprintf("arn:%s:iam::%s:role%s%s", d.Partition, d.Account, path, name), nil
	case "AWS::S3::Bucket":
		return fmt.Sprintf("arn:%s:s3:::%s", d.Partition, name), nil
	case "AWS::KMS::Key":
		return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", d.Partition, d.Region, d.Account, name), nil
	case "AWS::Logs::LogGroup":
		return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:*", d.Partition, d.Region, d.Account, name), nil
	}
	return "", fail
}
