// Command app is the CDK entry point: it reads the environment configuration, picks the environments
// named by the "env" context (all when unset), synthesizes one stack per environment (each in a stage
// named after it), the organisation policies stack when the configuration has an organization
// section, and the delivery pipeline when it has a pipeline section and no environments are selected,
// then checks the templates: CloudFormation validation and the limits AWS enforces at deployment.
//
//	cdk synth                      every environment
//	cdk synth -c env=dev           one
//	cdk synth -c env=dev,staging   several
//	cdk synth -c config=other.json another configuration file
//	cdk synth -c nagReports=true   also cdk-nag's CSV reports
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/cfnvalidate"
	"github.com/privatebedrock/stack/internal/jsiienv"
	"github.com/privatebedrock/stack/internal/limits"
	"github.com/privatebedrock/stack/stacks/environment"
	"github.com/privatebedrock/stack/stacks/organization"
	"github.com/privatebedrock/stack/stacks/pipeline"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	// The validator runs beside the jsii kernel and builds its rules while the app constructs; the
	// kernel's own validation would run the same rules again, after synthesis.
	if err := jsiienv.Set("CDK_VALIDATION", "false"); err != nil {
		return err
	}
	validator, err := cfnvalidate.Start(cfnvalidate.Script)
	if err != nil {
		return err
	}
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	if err := build(app); err != nil {
		validator.Stop()
		return err
	}
	// What CloudFormation and IAM would otherwise refuse at deploy time: stack and policy sizes.
	dir := *app.Synth(nil).Directory()
	return errors.Join(validator.Check(dir), limits.Check(dir))
}

func build(app awscdk.App) error {
	path := contextString(app, "config", "environments.json")
	file, err := config.Load(path)
	if err != nil {
		return fmt.Errorf("%s:\n%w", path, err)
	}
	var names []string
	if env := contextString(app, "env", ""); env != "" {
		names = strings.Split(env, ",")
	}
	envs, err := file.Select(names)
	if err != nil {
		return err
	}
	nagReports := contextString(app, "nagReports", "") == "true"
	stacks := environment.NewAll(app, file, envs, nagReports)
	if p := file.Pipeline; p != nil && names == nil {
		// The pipeline deploys every environment: a selection of some is for a deployment by hand.
		pipeline.New(app, pipeline.Props{Project: file.Project, Pipeline: *p, Environments: stacks, NagReports: nagReports})
	}
	if o := file.Organization; o != nil {
		// Every environment shapes the policies, whichever this synthesis selects.
		organization.New(app, organization.Props{Project: file.Project, Organization: *o, Environments: file.Environments, NagReports: nagReports})
	}
	return nil
}

func contextString(app awscdk.App, key, fallback string) string {
	if v, ok := app.Node().TryGetContext(jsii.String(key)).(string); ok && v != "" {
		return v
	}
	return fallback
}
