package config

import "fmt"

// PromptStore configures the bucket for shared prompts.
type PromptStore struct {
	Enabled bool `json:"enabled"`
	// Administrators are IAM role or user ARNs of this account that may write prompts; clientPrincipals
	// and the roles the stack creates may read them.
	Administrators []string `json:"administrators"`
}

// validatePromptStore checks the administrators.
func (e Environment) validatePromptStore(p *problems) {
	for i, arn := range e.PromptStore.Administrators {
		field := fmt.Sprintf("promptStore.administrators[%d]", i)
		if !principalPattern.MatchString(arn) {
			p.bad(field, quote(arn), "is not an IAM role or user ARN: use arn:aws:iam::<12-digit account>:role/<name>")
		} else if !e.sameAccount(arn) {
			p.bad(field, quote(arn), "is in another account than "+e.Account+": name principals of the environment's own account")
		}
	}
}
