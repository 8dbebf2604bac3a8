// Command clientsettings prints ready-to-paste client settings for one access role of one environment:
// an ~/.aws/config profile, Claude Code's settings, Careti's provider settings, where calls may come
// from, and commands that check the result.
//
//	go run ./cmd/clientsettings [-config environments.json] [-assembly cdk.out] <environment> <role name>
//
// It works offline, from the configuration and the synthesized template (run npm run synth first): the
// role's trust and session length are read from the template, which is what gets deployed.
//
// Exit status: 0 when the settings were printed, 1 otherwise.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/privatebedrock/stack/config"
	cloudassembly "github.com/privatebedrock/stack/internal/assembly"
	"github.com/privatebedrock/stack/internal/cli"
)

const usage = "usage: clientsettings [-config environments.json] [-assembly cdk.out] <environment> <role name>"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("clientsettings", flag.ContinueOnError)
	path := flags.String("config", "environments.json", "environment configuration `file`")
	assembly := flags.String("assembly", "cdk.out", "cloud assembly `directory` that npm run synth writes")
	if code, ok := cli.Parse(flags, usage, args, 2, stderr, 1); !ok {
		return code
	}
	file, err := config.Load(*path)
	if err == nil {
		err = generate(stdout, file, *path, *assembly, flags.Arg(0), flags.Arg(1))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// generate finds the environment, the role and the template, then renders. configPath only names the
// file in messages.
func generate(w io.Writer, file *config.File, configPath, assembly, envName, roleName string) error {
	envs, err := file.Select([]string{envName})
	if err != nil {
		return err
	}
	env := envs[0]
	i := slices.IndexFunc(env.AccessRoles, func(r config.AccessRole) bool { return r.Name == roleName })
	if i < 0 {
		if len(env.AccessRoles) == 0 {
			return fmt.Errorf("unknown role %q: environment %q has no access roles: add one to its accessRoles in %s", roleName, envName, configPath)
		}
		names := make([]string, len(env.AccessRoles))
		for j, r := range env.AccessRoles {
			names[j] = r.Name
		}
		return fmt.Errorf("unknown role %q in environment %q: choose one of %s", roleName, envName, strings.Join(names, ", "))
	}
	stackName := config.StackName(file.Project, env.Name)
	stacks, err := cloudassembly.Stacks(assembly)
	if err != nil && !errors.Is(err, cloudassembly.ErrNoAssembly) {
		return fmt.Errorf("read the cloud assembly: %w", err)
	}
	found := slices.IndexFunc(stacks, func(s cloudassembly.Stack) bool { return s.StackName == stackName })
	if found < 0 {
		return fmt.Errorf("%s has no stack %s: run npm run synth first", assembly, stackName)
	}
	template, err := os.ReadFile(stacks[found].TemplatePath)
	if err != nil {
		return fmt.Errorf("read the template: %w", err)
	}
	return render(w, file.Project, env, env.AccessRoles[i], template)
}
