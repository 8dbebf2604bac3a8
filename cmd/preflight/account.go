package main

import (
	"fmt"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

// checkAccount confirms the credentials belong to the environment's account, as cmd/verify does.
var checkAccount = command.CheckAccount

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
