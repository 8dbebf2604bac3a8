// Command executionpolicy prints the IAM policy CloudFormation deploys an environment's stack with,
// for cdk bootstrap --cloudformation-execution-policies in that environment's account, instead of
// the default AdministratorAccess (README, "Delivery pipeline"); with "pipeline", the policy of the
// tooling account the pipeline deploys itself from.
//
//	go run ./cmd/executionpolicy [-config environments.json] <environment | pipeline>
//
// Exit status: 0 with the policy on stdout, 2 for usage and configuration errors.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/cli"
	"github.com/privatebedrock/stack/internal/executionpolicy"
)

const usage = "usage: executionpolicy [-config environments.json] <environment | pipeline>"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("executionpolicy", flag.ContinueOnError)
	configPath := flags.String("config", "environments.json", "environment configuration `file`")
	if code, ok := cli.Parse(flags, usage, args, 1, stderr, 2); !ok {
		return code
	}
	file, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "%s:\n%v\n", *configPath, err)
		return 2
	}
	document, account, err := policyOf(file, flags.Arg(0))
	if err == nil {
		err = executionpolicy.CheckSize(account, document)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	out, _ := json.MarshalIndent(document, "", "  ")
	fmt.Fprintln(stdout, string(out))
	return 0
}

// policyOf is the execution policy that name asks for, and whose account it is.
func policyOf(file *config.File, name string) (map[string]any, string, error) {
	if p := file.Pipeline; p != nil && name == "pipeline" {
		var regions []string
		for _, e := range file.Environments {
			regions = append(regions, e.Region)
		}
		return executionpolicy.Pipeline(file.Project, *p, regions), "the tooling account", nil
	}
	envs, err := file.Select([]string{name})
	if err != nil {
		return nil, "", err
	}
	return executionpolicy.Document(file.Project, envs[0]), fmt.Sprintf("environment %q", name), nil
}
