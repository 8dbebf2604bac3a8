package guardrail

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsbedrock"
	"github.com/aws/jsii-runtime-go"
)

// configuration is everything New renders into the guardrail, in the order given, and nothing else: the
// template is built from it and the version's hash is taken of it, so the two cannot disagree. The key
// is not part of it; its ARN is a deploy-time value, and its construct ID never changes.
type configuration struct {
	Name             string          `json:"name"`
	Description      string          `json:"description,omitempty"`
	BlockedInput     string          `json:"blockedInput"`
	BlockedOutput    string          `json:"blockedOutput"`
	ContentFilters   []ContentFilter `json:"contentFilters"`
	PIIEntities      []PIIEntity     `json:"piiEntities,omitempty"`
	Regexes          []Regex         `json:"regexes,omitempty"`
	Topics           []Topic         `json:"topics,omitempty"`
	Words            []string        `json:"words,omitempty"`
	ManagedWordLists []string        `json:"managedWordLists,omitempty"`
}

// render takes props after defaults.
func render(p Props) configuration {
	c := configuration{
		Name: p.Name, Description: p.Description,
		BlockedInput: p.BlockedInputMessage, BlockedOutput: p.BlockedOutputMessage,
		ContentFilters: p.ContentFilters, PIIEntities: p.PIIEntities, Regexes: p.Regexes,
		Topics: p.DeniedTopics, Words: p.Words,
	}
	if p.ManagedProfanity {
		c.ManagedWordLists = []string{"PROFANITY"}
	}
	return c
}

// hash is the first 8 hex digits of the SHA-256 of the configuration's JSON. encoding/json writes struct
// fields in declaration order and lists in their order, so equal configurations hash equally on any
// machine; reordering a list is a change, as it is in the template.
func (c configuration) hash() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // strings and lists of strings always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4])
}

// cfnProps is the guardrail resource's properties. Actions, per-direction switches and tiers are left
// to Bedrock's defaults: each filter acts (blocks or masks) on prompts and responses, in the classic tier,
// which needs no cross-region inference.
func (c configuration) cfnProps(keyArn *string) *awsbedrock.CfnGuardrailProps {
	p := &awsbedrock.CfnGuardrailProps{
		Name:                    jsii.String(c.Name),
		BlockedInputMessaging:   jsii.String(c.BlockedInput),
		BlockedOutputsMessaging: jsii.String(c.BlockedOutput),
		KmsKeyArn:               keyArn,
	}
	if c.Description != "" {
		p.Description = jsii.String(c.Description)
	}
	var filters []any
	for _, f := range c.ContentFilters {
		filters = append(filters, &awsbedrock.CfnGuardrail_ContentFilterConfigProperty{
			Type: jsii.String(f.Type), InputStrength: jsii.String(f.InputStrength), OutputStrength: jsii.String(f.OutputStrength),
		})
	}
	p.ContentPolicyConfig = &awsbedrock.CfnGuardrail_ContentPolicyConfigProperty{FiltersConfig: filters}

	if len(c.PIIEntities)+len(c.Regexes) > 0 {
		sensitive := &awsbedrock.CfnGuardrail_SensitiveInformationPolicyConfigProperty{}
		var entities, regexes []any
		for _, e := range c.PIIEntities {
			entities = append(entities, &awsbedrock.CfnGuardrail_PiiEntityConfigProperty{Type: jsii.String(e.Type), Action: jsii.String(e.Action)})
		}
		for _, r := range c.Regexes {
			rc := &awsbedrock.CfnGuardrail_RegexConfigProperty{Name: jsii.String(r.Name), Pattern: jsii.String(r.Pattern), Action: jsii.String(r.Action)}
			if r.Description != "" {
				rc.Description = jsii.String(r.Description)
			}
			regexes = append(regexes, rc)
		}
		// The schema wants each list absent rather than empty.
		if len(entities) > 0 {
			sensitive.PiiEntitiesConfig = entities
		}
		if len(regexes) > 0 {
			sensitive.RegexesConfig = regexes
		}
		p.SensitiveInformationPolicyConfig = sensitive
	}

	if len(c.Topics) > 0 {
		var topics []any
		for _, t := range c.Topics {
			tc := &awsbedrock.CfnGuardrail_TopicConfigProperty{Name: jsii.String(t.Name), Definition: jsii.String(t.Definition), Type: jsii.String("DENY")}
			if len(t.Examples) > 0 {
				tc.Examples = jsii.Strings(t.Examples...)
			}
			topics = append(topics, tc)
		}
		p.TopicPolicyConfig = &awsbedrock.CfnGuardrail_TopicPolicyConfigProperty{TopicsConfig: topics}
	}

	if len(c.Words)+len(c.ManagedWordLists) > 0 {
		words := &awsbedrock.CfnGuardrail_WordPolicyConfigProperty{}
		var custom, managed []any
		for _, w := range c.Words {
			custom = append(custom, &awsbedrock.CfnGuardrail_WordConfigProperty{Text: jsii.String(w)})
		}
		for _, l := range c.ManagedWordLists {
			managed = append(managed, &awsbedrock.CfnGuardrail_ManagedWordsConfigProperty{Type: jsii.String(l)})
		}
		if len(custom) > 0 {
			words.WordsConfig = custom
		}
		if len(managed) > 0 {
			words.ManagedWordListsConfig = managed
		}
		p.WordPolicyConfig = words
	}
	return p
}
