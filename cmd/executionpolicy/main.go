// Command executionpolicy prints the IAM policy CloudFormation deploys an environment's stack with,
// for cdk bootstrap --cloudformation-execution-policies in that environment's account, instead of
// the default AdministratorAccess (README, "Delivery pipeline").
//
//	go run ./cmd/executionpolicy [-config environments.json] <environment>
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

const usage = "usage: executionpolicy [-config environments.json] <environment>"

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
	envs, err := file.Select([]string{flags.Arg(0)})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	document := executionpolicy.Document(file.Project, envs[0])
	if err := executionpolicy.CheckSize(envs[0].Name, document); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	out, _ := json.MarshalIndent(document, "", "  ")
	fmt.Fprintln(stdout, string(out))
	return 0
}
