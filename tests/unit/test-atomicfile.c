/* test-atomicfile.c - unit tests of atomicfile.c: a file replaced whole,
 * a link planted at the temporary name never followed, a replacement
 * dropped leaving the file as it was */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "tap.h"

static char dir[] = "/tmp/test-atomicfile.XXXXXX";

static char *
path(const char *name)
{
	static char p[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static const char *
slurp(const char *p)
{
	static char buf[256];
	FILE *f = fopen(p, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	return f ? buf : "(none)";
}

static void
put(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
}

int
main(void)
{
	struct atomicfile af;
	struct stat st;
	char tmp[300];
	int i;

	if (mkdtemp(dir) == NULL)
		return 99;
	ok(atomicfile_write(path("f"), "one\n", 4) == 0 &&
	    strcmp(slurp(path("f")), "one\n") == 0, "a new file written");
	ok(atomicfile_write(path("f"), "two\n", 4) == 0 &&
	    strcmp(slurp(path("f")), "two\n") == 0, "an old one replaced");

	/* links planted at the first temporary names, to a victim */
	put(path("victim"), "keep\n");
	for (i = 0; i < 3; i++) {
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%d", path("f"),
		    (long)getpid(), i);
		if (symlink(path("victim"), tmp) != 0)
			return 99;
	}
	ok(atomicfile_write(path("f"), "three\n", 6) == 0,
	    "written past the planted links");
	ok(strcmp(slurp(path("victim")), "keep\n") == 0, "the link's target "
	    "is untouched");
	ok(lstat(path("f"), &st) == 0 && S_ISREG(st.st_mode) &&
	    strcmp(slurp(path("f")), "three\n") == 0, "the file is a regular "
	    "file with the new text, not the link moved over it");
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.0", path("f"), (long)getpid());
	ok(lstat(tmp, &st) == 0 && S_ISLNK(st.st_mode), "the planted link "
	    "is left as it was");

	ok(atomicfile_open(&af, path("g")) == 0 && fputs("half", af.f) >= 0,
	    "a replacement started");
	atomicfile_abort(&af);
	ok(access(path("g"), F_OK) != 0, "dropped: no file appears");
	put(path("g"), "earlier\n");
	ok(atomicfile_open(&af, path("g")) == 0 && fputs("cut", af.f) >= 0,
	    "a replacement of an existing file started");
	atomicfile_abort(&af);
	ok(strcmp(slurp(path("g")), "earlier\n") == 0, "dropped: the file "
	    "keeps what it held");
	ok(atomicfile_open(&af, path("g")) == 0 && fputs("new\n", af.f) >= 0 &&
	    atomicfile_commit(&af) == 0 && strcmp(slurp(path("g")), "new\n") ==
	    0, "committed: the file holds the new text");
	ok(atomicfile_write(path("no/such/dir/f"), "x", 1) < 0, "a missing "
	    "directory is an error");
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 99;
	}
	return done();
}
