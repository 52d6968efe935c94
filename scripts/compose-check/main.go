// compose-check loads docker-compose.yml with compose-go, the loader Docker Compose v2 itself uses,
// and fails on anything Compose would reject (schema, interpolation, dependencies). Debian's
// docker-compose 1.29 predates the Compose specification and cannot serve as the check.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	file := "docker-compose.yml"
	if len(os.Args) > 1 {
		file = os.Args[1]
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions(
		[]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithOsEnv,
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	fmt.Printf("%s: valid, %d services\n", file, len(project.Services))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose-check: %v\n", err)
	os.Exit(1)
}
