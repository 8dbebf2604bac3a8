package limits

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/privatebedrock/stack/internal/assembly"
	"github.com/privatebedrock/stack/internal/cfnresolve"
)

// The values AWS picks at deployment, at their longest. cfnresolve stands in the logical ID for them,
// which may be shorter.
const (
	// longestRoleName is IAM's limit on a role name, to which CloudFormation cuts the names it makes.
	longestRoleName = 64
	// longestBucketName is S3's limit on a bucket name, likewise.
	longestBucketName = 63
	// keyID is a KMS key ID, a UUID.
	keyID = "00000000-0000-0000-0000-000000000000"
	// endpointID is a VPC endpoint ID: vpce- and 17 hexadecimal digits.
	endpointID = "vpce-0123456789abcdef0"
	// unresolvedLength is what an intrinsic that neither this package nor cfnresolve resolves counts
	// for (a security group ID, an attribute of a function): an ARN of a resource with a 64-character
	// name in the longest partition and region, a Lambda function's being 122 characters, rounded up.
	unresolvedLength = 128
)

// resolver replaces the intrinsics of one template's policies with what a deployment gives them.
type resolver struct {
	cfn       *cfnresolve.Resolver
	resources map[string]resource
	d         cfnresolve.Deployment
}

// newResolver resolves for the stack's environment. The partition is the longest, aws-us-gov, so that
// a policy that fits does so in every partition; an environment-agnostic stack gets an account and the
// longest region of that partition.
func newResolver(template []byte, resources map[string]resource, s assembly.Stack) (*resolver, error) {
	d := cfnresolve.Deployment{Partition: "aws-us-gov", Account: s.Account, Region: s.Region}
	if d.Account == "" {
		d.Account = "123456789012"
	}
	if d.Region == "" {
		d.Region = "us-gov-west-1"
	}
	cfn, err := cfnresolve.New(template, d)
	if err != nil {
		return nil, err
	}
	return &resolver{cfn: cfn, resources: resources, d: d}, nil
}

// resolve returns v with each intrinsic replaced by a string. It joins Fn::Join itself, so that the
// parts that name what AWS picks count at their longest too.
func (r *resolver) resolve(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.resolve(e)
		}
		return out
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				if fn == "Ref" || strings.HasPrefix(fn, "Fn::") {
					return r.intrinsic(fn, arg, x)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = r.resolve(e)
		}
		return out
	}
	return v
}

func (r *resolver) intrinsic(fn string, arg any, expr map[string]any) string {
	if a, ok := arg.([]any); ok && fn == "Fn::Join" && len(a) == 2 {
		sep, isString := a[0].(string)
		list, isList := a[1].([]any)
		if isString && isList {
			parts := make([]string, len(list))
			for i, e := range list {
				parts[i] = fmt.Sprint(r.resolve(e))
			}
			return strings.Join(parts, sep)
		}
	}
	if v, ok := r.picked(fn, arg); ok {
		return v
	}
	if v, err := r.cfn.Resolve(expr); err == nil {
		if s, ok := v.(string); ok {
			return s
		}
	}
	// Where it is longer, the intrinsic's own text: Fn::Sub's literal text, for one, is in its value.
	text, _ := json.Marshal(expr)
	return strings.Repeat("x", max(unresolvedLength, len(text)))
}

// picked resolves a Ref or Fn::GetAtt Arn of a resource whose name or ID AWS picks, at its longest.
func (r *resolver) picked(fn string, arg any) (string, bool) {
	var id string
	switch a := arg.(type) {
	case string:
		if fn != "Ref" {
			return "", false
		}
		id = a
	case []any:
		if fn != "Fn::GetAtt" || len(a) != 2 || a[1] != "Arn" {
			return "", false
		}
		id, _ = a[0].(string)
	}
	res, ok := r.resources[id]
	if !ok {
		return "", false
	}
	ref := fn == "Ref"
	switch res.Type {
	case "AWS::IAM::Role":
		name, ok := res.Properties["RoleName"].(string)
		if !ok {
			name = strings.Repeat("r", longestRoleName)
		}
		if ref {
			return name, true
		}
		path, _ := res.Properties["Path"].(string)
		if path == "" {
			path = "/"
		}
		return fmt.Sprintf("arn:%s:iam::%s:role%s%s", r.d.Partition, r.d.Account, path, name), true
	case "AWS::S3::Bucket":
		name, ok := res.Properties["BucketName"].(string)
		if !ok {
			name = strings.Repeat("b", longestBucketName)
		}
		if ref {
			return name, true
		}
		return fmt.Sprintf("arn:%s:s3:::%s", r.d.Partition, name), true
	case "AWS::KMS::Key":
		if ref {
			return keyID, true
		}
		return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", r.d.Partition, r.d.Region, r.d.Account, keyID), true
	case "AWS::EC2::VPCEndpoint":
		return endpointID, ref
	}
	return "", false
}
