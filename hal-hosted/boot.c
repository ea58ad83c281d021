/*
 * `ember boot`: runs the bare-metal kernel (ember-kernel, next to this
 * program) in QEMU with an initramfs, the serial console on this
 * terminal, and exits with the status of the guest's init. The kernel
 * reports that status twice (see hal-baremetal/misc.c): as text on QEMU's
 * debug console, which goes to a temporary file read here, and through
 * isa-debug-exit, whose QEMU exit code ((N << 1) | 1, cut to 8 bits)
 * confirms it. Any other end of QEMU is an error (125).
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "hosted.h"

#define BOOT_FAILED 125
#define CMDLINE_LIMIT 4000

static volatile sig_atomic_t got_signal;
static pid_t qemu_pid;

static void boot_usage(FILE *f)
{
	fprintf(f,
		"usage: ember boot [OPTIONS] [--] [KERNEL ARGS...]\n"
		"\n"
		"Boots the bare-metal Ember kernel in QEMU (qemu-system-x86_64)\n"
		"with the serial console on this terminal, and exits with the\n"
		"status of its init (128+N when signal N killed it). KERNEL ARGS\n"
		"form the kernel command line; words from init=PATH on are init's\n"
		"argv, e.g.\n"
		"  ember boot -- init=/bin/busybox sh -c 'echo hello; uname -a'\n"
		"Without KERNEL ARGS init is /bin/sh.\n"
		"\n"
		"options:\n"
		"  --initramfs FILE  cpio newc root filesystem (default: the\n"
		"                    initramfs.cpio built next to ember)\n"
		"  --kernel FILE     kernel image (default: ember-kernel)\n"
		"  --accel=tcg|kvm   QEMU accelerator (default tcg: kvm needs real\n"
		"                    VT-x/AMD-V)\n"
		"  --mem SIZE        guest memory, QEMU syntax (default 512M)\n"
		"  --cpu MODEL       QEMU CPU model (default QEMU's; 'max' has\n"
		"                    RDRAND, FSGSBASE, SMAP and 1 GiB pages)\n"
		"  --gdb             wait for gdb on :1234 before the first\n"
		"                    instruction, and print the gdb command\n"
		"  -h, --help        this text\n"
		"\n"
		"QEMU is $EMBER_QEMU if set, else qemu-system-x86_64 from PATH.\n"
		"ember boot exits with 125 when QEMU fails or stops without the\n"
		"kernel's status.\n");
}

static void on_signal(int sig)
{
	got_signal = sig;
	/* QEMU restores the terminal when it exits on its own: let it. */
	if (qemu_pid > 0 && sig != SIGINT && sig != SIGQUIT)
		kill(qemu_pid, SIGTERM);
}

/* A file next to this program's binary, else in the build directory. */
static char *beside_self(const char *name)
{
	char self[PATH_MAX], *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (asprintf(&path, "%s/%s", self, name) > 0) {
				if (access(path, R_OK) == 0)
					return path;
				free(path);
			}
		}
	}
	if (asprintf(&path, "%s/%s", EMBER_BINARY_DIR, name) < 0)
		return NULL;
	return path;
}

struct buf {
	char *s;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s) {
			perror("ember");
			exit(BOOT_FAILED);
		}
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* One argument as one kernel command-line word: quoted when it holds a
 * blank or a quote (the kernel's parser groups quotes, no escapes). */
static void add_word(struct buf *b, const char *w)
{
	if (b->len)
		buf_str(b, " ");
	if (*w && !strpbrk(w, " \t\n\r'\"")) {
		buf_str(b, w);
		return;
	}
	buf_str(b, "'");
	for (const char *p = w; *p; p++) {
		if (*p == '\'')
			buf_str(b, "'\"'\"'");
		else
			buf_add(b, p, 1);
	}
	buf_str(b, "'");
}

/* The guest's status from the debug-console file, or -1. */
static int read_status(const char *path)
{
	char line[256];
	int status = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int v;

		if (sscanf(line, "ember-exit-status=%d", &v) == 1 && v >= 0 &&
		    v <= 255)
			status = v;
	}
	fclose(f);
	return status;
}

static void print_gdb_hint(const char *kernel)
{
	char abs[PATH_MAX];

	if (!realpath(kernel, abs))
		snprintf(abs, sizeof(abs), "%s", kernel);
	fprintf(stderr,
		"ember: QEMU waits for gdb on :1234; in another terminal:\n"
		"  gdb -ex 'symbol-file %s' -ex 'target remote :1234' "
		"-ex 'break kmain' -ex continue\n",
		abs);
}

int cmd_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "initramfs", required_argument, 0, 'i' },
		{ "kernel", required_argument, 0, 'k' },
		{ "accel", required_argument, 0, 'a' },
		{ "mem", required_argument, 0, 'm' },
		{ "cpu", required_argument, 0, 'c' },
		{ "gdb", no_argument, 0, 'g' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *accel = "tcg", *mem = "512M", *cpu = NULL;
	char *kernel = NULL, *initramfs = NULL;
	const char *qemu = getenv("EMBER_QEMU");
	bool gdb = false;
	struct buf cmd = { 0 };
	char word[64], status_path[] = "/tmp/ember-boot-XXXXXX";
	int c, tty = 0, wstatus;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			initramfs = optarg;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'm':
			mem = optarg;
			break;
		case 'c':
			cpu = optarg;
			break;
		case 'g':
			gdb = true;
			break;
		case 'a':
			if (strcmp(optarg, "tcg") != 0 &&
			    strcmp(optarg, "kvm") != 0) {
				fprintf(stderr,
					"ember: unknown accelerator '%s' (tcg, kvm)\n",
					optarg);
				return 2;
			}
			accel = optarg;
			break;
		case 'h':
			boot_usage(stdout);
			return 0;
		default:
			boot_usage(stderr);
			return 2;
		}
	}
	if (!kernel)
		kernel = beside_self("ember-kernel");
	if (!initramfs)
		initramfs = beside_self("initramfs.cpio");
	if (!kernel || access(kernel, R_OK) != 0) {
		fprintf(stderr,
			"ember: no kernel image %s (build ember-kernel)\n",
			kernel ? kernel : "ember-kernel");
		return 2;
	}
	if (!initramfs || access(initramfs, R_OK) != 0) {
		fprintf(stderr, "ember: no initramfs %s\n",
			initramfs ? initramfs : "initramfs.cpio");
		return 2;
	}
	if (!qemu || !*qemu)
		qemu = "qemu-system-x86_64";

	/* What the guest's console is: the kernel answers isatty from it. */
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd))
			tty |= 1 << fd;
	snprintf(word, sizeof(word), "ember.tty=%d", tty);
	add_word(&cmd, word);
	struct winsize ws;
	if (tty &&
	    (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ||
	     ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) &&
	    ws.ws_row) {
		snprintf(word, sizeof(word), "ember.winsize=%ux%u", ws.ws_row,
			 ws.ws_col);
		add_word(&cmd, word);
	}
	if (optind >= argc)
		add_word(&cmd, "init=/bin/sh");
	for (int i = optind; i < argc; i++)
		add_word(&cmd, argv[i]);
	if (cmd.len > CMDLINE_LIMIT) {
		fprintf(stderr,
			"ember: kernel command line longer than %d bytes\n",
			CMDLINE_LIMIT);
		return 2;
	}

	int sfd = mkstemp(status_path);
	if (sfd < 0) {
		perror("ember: mkstemp");
		return BOOT_FAILED;
	}
	close(sfd);
	char *status_dev, *accel_arg;
	if (asprintf(&status_dev, "file,id=emberstatus,path=%s", status_path) <
		    0 ||
	    asprintf(&accel_arg, "%s", accel) < 0) {
		unlink(status_path);
		return BOOT_FAILED;
	}

	const char *qargv[40];
	int n = 0;
	qargv[n++] = qemu;
	qargv[n++] = "-M";
	qargv[n++] = "q35";
	qargv[n++] = "-nodefaults";
	qargv[n++] = "-no-user-config";
	qargv[n++] = "-display";
	qargv[n++] = "none";
	qargv[n++] = "-no-reboot";
	qargv[n++] = "-serial";
	qargv[n++] = "stdio";
	qargv[n++] = "-monitor";
	qargv[n++] = "none";
	qargv[n++] = "-device";
	qargv[n++] = "isa-debug-exit,iobase=0xf4,iosize=0x04";
	qargv[n++] = "-chardev";
	qargv[n++] = status_dev;
	qargv[n++] = "-device";
	qargv[n++] = "isa-debugcon,iobase=0xe9,chardev=emberstatus";
	qargv[n++] = "-accel";
	qargv[n++] = accel_arg;
	qargv[n++] = "-m";
	qargv[n++] = mem;
	qargv[n++] = "-kernel";
	qargv[n++] = kernel;
	qargv[n++] = "-initrd";
	qargv[n++] = initramfs;
	qargv[n++] = "-append";
	qargv[n++] = cmd.s;
	if (cpu) {
		qargv[n++] = "-cpu";
		qargv[n++] = cpu;
	}
	if (gdb) {
		qargv[n++] = "-s";
		qargv[n++] = "-S";
		print_gdb_hint(kernel);
	}
	qargv[n] = NULL;

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	fflush(NULL);
	qemu_pid = fork();
	if (qemu_pid < 0) {
		perror("ember: fork");
		unlink(status_path);
		return BOOT_FAILED;
	}
	if (qemu_pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(qemu, (char *const *)qargv);
		fprintf(stderr, "ember: cannot run %s: %s\n", qemu,
			strerror(errno));
		_exit(127);
	}
	while (waitpid(qemu_pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			perror("ember: waitpid");
			unlink(status_path);
			return BOOT_FAILED;
		}
	}
	int guest = read_status(status_path);
	unlink(status_path);

	if (WIFEXITED(wstatus) && guest >= 0 &&
	    WEXITSTATUS(wstatus) == (((guest << 1) | 1) & 0xff))
		return guest;
	if (got_signal == SIGINT || got_signal == SIGQUIT) {
		fprintf(stderr, "ember: interrupted\n");
		return 128 + got_signal;
	}
	if (WIFSIGNALED(wstatus))
		fprintf(stderr, "ember: %s was killed by signal %d\n", qemu,
			WTERMSIG(wstatus));
	else if (guest >= 0)
		fprintf(stderr,
			"ember: %s exited with %d, not the %d the kernel "
			"reported\n",
			qemu, WEXITSTATUS(wstatus), guest);
	else if (WEXITSTATUS(wstatus) == 127)
		; /* the child said why */
	else
		fprintf(stderr,
			"ember: %s exited with %d before the kernel halted\n",
			qemu, WEXITSTATUS(wstatus));
	return BOOT_FAILED;
}
