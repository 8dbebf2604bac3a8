package config

import (
	"fmt"
	"strings"
)

// Partition is the ARN partition of the environment's region.
func (e Environment) Partition() string {
	switch {
	case strings.HasPrefix(e.Region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(e.Region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// ModelArns are the resources a caller must be allowed to invoke for the configured models and
// inference profiles. Bedrock authorizes a profile call twice: on the profile ARN and on the
// foundation model in whichever destination region serves it, so both are listed.
func (e Environment) ModelArns() []string {
	var arns []string
	for _, m := range e.Models {
		arns = append(arns, e.foundationModelArn(e.Region, m))
	}
	for _, p := range e.InferenceProfiles {
		arns = append(arns, fmt.Sprintf("arn:%s:bedrock:%s:%s:inference-profile/%s", e.Partition(), e.Region, e.Account, p.ID))
		model := p.ModelID()
		for _, r := range p.DestinationRegions {
			arns = append(arns, e.foundationModelArn(r, model))
		}
		// Global profiles are authorized against a region-less foundation-model ARN as well.
		if strings.HasPrefix(p.ID, "global.") {
			arns = append(arns, e.foundationModelArn("", model))
		}
	}
	return dedupe(arns)
}

// ModelIDs are the IDs a caller passes to InvokeModel or Converse.
func (e Environment) ModelIDs() []string {
	ids := append([]string{}, e.Models...)
	for _, p := range e.InferenceProfiles {
		ids = append(ids, p.ID)
	}
	return ids
}

// ModelID is the foundation model the profile routes to.
func (p InferenceProfile) ModelID() string {
	return profilePattern.FindStringSubmatch(p.ID)[2]
}

func (e Environment) foundationModelArn(region, model string) string {
	return fmt.Sprintf("arn:%s:bedrock:%s::foundation-model/%s", e.Partition(), region, model)
}

func dedupe(values []string) []string {
	seen := map[string]bool{}
	out := values[:0]
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
