package limits

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/privatebedrock/stack/internal/assembly"
	"github.com/privatebedrock/stack/internal/cfnresolve"
)

// unresolvedLength is what an intrinsic that cfnresolve does not resolve counts for (a security group
// ID, an attribute of a function): an ARN of a resource with a 64-character name in the longest
// partition and region, a Lambda function's being 122 characters, rounded up.
const unresolvedLength = 128

// resolver replaces the intrinsics of one template's policies with what a deployment gives them, the
// values AWS picks at their longest.
type resolver struct {
	cfn *cfnresolve.Resolver
}

// newResolver resolves for the stack's environment. The partition is the longest, aws-us-gov, so that
// a policy that fits does so in every partition; an environment-agnostic stack gets an account and the
// longest region of that partition.
func newResolver(template []byte, s assembly.Stack) (*resolver, error) {
	d := cfnresolve.Deployment{Partition: "aws-us-gov", Account: s.Account, Region: s.Region, Longest: true}
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
	return &resolver{cfn: cfn}, nil
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
	if v, err := r.cfn.Resolve(expr); err == nil {
		if s, ok := v.(string); ok {
			return s
		}
	}
	// Where it is longer, the intrinsic's own text: Fn::Sub's literal text, for one, is in its value.
	text, _ := json.Marshal(expr)
	return strings.Repeat("x", max(unresolvedLength, len(text)))
}
