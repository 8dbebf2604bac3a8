// Package jsiienv sets environment variables for the jsii kernel. aws-cdk-go's packages create the
// kernel's client while they initialise, before main or TestMain run, and the client copies the
// environment then: an os.Setenv in main never reaches the kernel.
package jsiienv

import (
	"os"
	"runtime"
	"syscall"
)

// Set makes key=value part of the kernel's environment. When it is not already, it sets it and
// re-executes the running program (same PID, arguments and standard streams) so that the kernel
// starts with it; it returns only when the variable was already set, or on Windows, which cannot
// replace a running program and keeps the kernel's environment as it was.
func Set(key, value string) error {
	if os.Getenv(key) == value {
		return nil
	}
	if err := os.Setenv(key, value); err != nil {
		return err
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, os.Args, os.Environ())
}
