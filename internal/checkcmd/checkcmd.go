// Package checkcmd is the skeleton the commands that check an environment's AWS account with the
// user's own credentials (cmd/preflight before a deployment, cmd/verify after it) share: their flags,
// the environment configuration, the credentials, the heading, the checklist and the exit status.
// What they check is theirs.
package checkcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/awsenv"
	"github.com/privatebedrock/stack/internal/checklist"
)

// Exit statuses.
const (
	// ExitOK: no check failed.
	ExitOK = 0
	// ExitFailed: a check failed, or there are no credentials.
	ExitFailed = 1
	// ExitUsage: the arguments or the configuration are wrong.
	ExitUsage = 2
)

// RunFunc runs a command with its arguments, as main does, and returns its exit status.
type RunFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// Main runs the command with the process's arguments and exits with its status. An interrupt cancels
// the checks' context.
func Main(run RunFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Command is one command: `<Name> [-config environments.json] [Options] <environment>`.
type Command struct {
	// Name is the command's name in its usage, e.g. "verify".
	Name string
	// Heading begins the output: "<Heading> of <stack>: account <account>, region <region>".
	Heading string
	// Wording names the command in what it tells the user, e.g. "the preflight".
	Wording awsenv.Command
	// Options is the usage of the command's own flags, e.g. "[-wait 5m]"; Flags, when set, defines
	// them.
	Options string
	Flags   func(*flag.FlagSet)
	// Valid, when set, says whether the values of the command's own flags are usable; when they are
	// not, the command prints its usage and exits with ExitUsage.
	Valid func() bool
	// EnvironmentRegion makes the environment's region the one the SDK uses when neither the
	// environment variables nor the profile name one. Without it the configuration's region is empty
	// then.
	EnvironmentRegion bool
	// Check runs the checks of env, an environment of file, with the SDK configuration the credential
	// chain resolved.
	Check func(ctx context.Context, cfg aws.Config, file *config.File, env config.Environment) *checklist.Checklist
}

// Run parses the arguments, loads the environment and the credentials, runs the checks and writes
// their checklist to stdout, and returns the exit status: ExitOK when no check failed, ExitFailed when
// one did or there are no credentials, ExitUsage for usage and configuration errors.
func (c Command) Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	flags.SetOutput(stderr)
	path := flags.String("config", "environments.json", "environment configuration `file`")
	if c.Flags != nil {
		c.Flags(flags)
	}
	usage := "usage: " + c.Name + " [-config environments.json] "
	if c.Options != "" {
		usage += c.Options + " "
	}
	flags.Usage = func() {
		fmt.Fprintln(stderr, usage+"<environment>")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if flags.NArg() != 1 || c.Valid != nil && !c.Valid() {
		flags.Usage()
		return ExitUsage
	}
	file, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	envs, err := file.Select(flags.Args())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitUsage
	}
	env := envs[0]

	var options []func(*awsconfig.LoadOptions) error
	if c.EnvironmentRegion {
		options = append(options, awsconfig.WithDefaultRegion(env.Region))
	}
	cfg, err := awsenv.Load(ctx, options...)
	if err != nil {
		fmt.Fprint(stderr, c.Wording.NoCredentials(env, err))
		return ExitFailed
	}

	fmt.Fprintf(stdout, "%s of %s: account %s, region %s\n\n", c.Heading, config.StackName(file.Project, env.Name), env.Account, env.Region)
	list := c.Check(ctx, cfg, file, env)
	if err := list.Render(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return ExitFailed
	}
	if list.Failed() {
		return ExitFailed
	}
	return ExitOK
}
