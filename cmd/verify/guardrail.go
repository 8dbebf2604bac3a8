package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

// checkEnforcedGuardrail confirms the account enforces the stack's guardrail version, which guards the
// calls of clients that do not name it. Bedrock keeps one account-level enforcement per account and
// region; the organisation's enforcements are another layer and do not count.
func checkEnforcedGuardrail(ctx context.Context, api *bedrock.Client, env config.Environment, d *deployment) checklist.Row {
	const name = "Guardrail enforcement"
	outputs, missing := d.need(name, outputGuardrail, outputGuardrailVer)
	if missing != nil {
		return *missing
	}
	ours := fmt.Sprintf("%s version %s", outputs[0], outputs[1])
	var others []string
	for p := bedrock.NewListEnforcedGuardrailsConfigurationPaginator(api, &bedrock.ListEnforcedGuardrailsConfigurationInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return command.Unchecked(name, "", err)
		}
		for _, c := range page.GuardrailsConfig {
			if c.Owner != types.ConfigurationOwnerAccount {
				continue
			}
			described := fmt.Sprintf("%s version %s", aws.ToString(c.GuardrailArn), aws.ToString(c.GuardrailVersion))
			if described == ours {
				return checklist.Pass(name, "the account enforces the stack's guardrail, "+ours)
			}
			others = append(others, described)
		}
	}
	found := "the account enforces no guardrail in " + env.Region + ": calls that do not name the guardrail go unguarded"
	if len(others) > 0 {
		found = "the account enforces " + strings.Join(others, ", ") + ", not the stack's guardrail, " + ours
	}
	return checklist.Fail(name, found, "find out who changed it (the GuardrailChanges alert names the caller) and enforce "+ours+
		" again (Bedrock console, Guardrails): CloudFormation restores the stack's enforcement only when it changes")
}
