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

type enforcementAPI interface {
	ListEnforcedGuardrailsConfiguration(context.Context, *bedrock.ListEnforcedGuardrailsConfigurationInput, ...func(*bedrock.Options)) (*bedrock.ListEnforcedGuardrailsConfigurationOutput, error)
}

// checkEnforcedGuardrail looks for an account-level guardrail enforcement the stack would meet: Bedrock
// keeps one per account and region, so the stack's enforcement cannot be created beside another's.
// Enforcement owned by the organisation is another layer and does not conflict.
func checkEnforcedGuardrail(ctx context.Context, api enforcementAPI, env config.Environment) checklist.Row {
	const name = "Guardrail enforcement"
	var account, organisation []string
	for p := bedrock.NewListEnforcedGuardrailsConfigurationPaginator(api, &bedrock.ListEnforcedGuardrailsConfigurationInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return unchecked(name, "", err)
		}
		for _, c := range page.GuardrailsConfig {
			described := fmt.Sprintf("%s version %s", aws.ToString(c.GuardrailArn), aws.ToString(c.GuardrailVersion))
			if c.Owner == types.ConfigurationOwnerAccount {
				account = append(account, described)
			} else {
				organisation = append(organisation, described)
			}
		}
	}
	if len(account) > 0 {
		return checklist.Fail(name, "the account already enforces "+strings.Join(account, ", ")+" in "+env.Region+", and Bedrock keeps one enforcement per account and region",
			"remove it once nobody relies on it (aws bedrock delete-enforced-guardrail-configuration --config-id <id> --region "+env.Region+"), or set guardrail.enforceInAccount to false and rely on that one")
	}
	if len(organisation) > 0 {
		return checklist.Warn(name, "the organisation also enforces "+strings.Join(organisation, ", ")+"; both will apply to every call",
			"make sure every caller may bedrock:ApplyGuardrail on both guardrails")
	}
	return checklist.Pass(name, "no guardrail enforced in "+env.Region+" yet: the stack will enforce its own")
}
