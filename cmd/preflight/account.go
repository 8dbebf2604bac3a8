package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

type callerIdentityAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// checkAccount confirms the credentials belong to the environment's account. sameAccount is false when
// the other checks must not run: they would describe another account, or none.
func checkAccount(ctx context.Context, api callerIdentityAPI, env config.Environment) (row checklist.Row, sameAccount bool) {
	const name = "Account"
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		// GetCallerIdentity needs no IAM permission: failing, it says the credentials were refused.
		return checklist.Fail(name, "could not check: "+reason(err)+"; the other checks did not run",
			"refresh the credentials (aws sso login, or check the profile's role_arn and source_profile), then run the preflight again"), false
	}
	account, arn := aws.ToString(out.Account), aws.ToString(out.Arn)
	if account != env.Account {
		return checklist.Fail(name,
			fmt.Sprintf("the credentials are %s of account %s, but environment %s deploys to account %s; the other "+
				"checks did not run: they would describe the wrong account", arn, account, env.Name, env.Account),
			fmt.Sprintf("use credentials of account %s, e.g. export AWS_PROFILE=%s with that account's deployer role",
				env.Account, exampleProfile(env))), false
	}
	return checklist.Pass(name, arn), true
}

// checkRegion compares the region the credential chain resolved with the environment's. The checks and
// `cdk deploy` use the environment's region either way, but the README's `aws` commands use the profile's.
func checkRegion(resolved string, env config.Environment) checklist.Row {
	const name = "Region"
	fix := fmt.Sprintf("set region = %s in the profile, or export AWS_REGION=%[1]s, so the README's aws commands "+
		"reach the stack", env.Region)
	switch resolved {
	case env.Region:
		return checklist.Pass(name, env.Region+", the environment's")
	case "":
		return checklist.Fail(name, "neither AWS_REGION nor the profile sets a region; the environment is in "+env.Region, fix)
	}
	return checklist.Fail(name, fmt.Sprintf("AWS_REGION or the profile says %s, the environment is in %s (the checks "+
		"ran in %[2]s)", resolved, env.Region), fix)
}
