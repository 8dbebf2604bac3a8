package main

import (
	"fmt"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/awsenv"
	"github.com/privatebedrock/stack/internal/checklist"
)

// checkRegion compares the region the SDK resolved, the environment's when nothing named one, with the
// environment's. ok is false when the other checks must not run: another region means credentials or
// a profile meant for another deployment, where the stack would not be found or another one would.
func checkRegion(resolved string, env config.Environment) (row checklist.Row, ok bool) {
	const name = "Region"
	if resolved == env.Region {
		return checklist.Pass(name, env.Region+", the environment's"), true
	}
	return checklist.Fail(name, fmt.Sprintf("AWS_REGION, AWS_DEFAULT_REGION or the profile says %s, but environment %s "+
		"is in %s; the other checks did not run: they would look for the stack in the wrong region", resolved, env.Name, env.Region),
		fmt.Sprintf("unset AWS_REGION and AWS_DEFAULT_REGION, or use a profile whose region is %s, e.g. export AWS_PROFILE=%s", env.Region, awsenv.ExampleProfile(env))), false
}
