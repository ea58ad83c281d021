/*
 * `ember boot`: runs the bare-metal kernel (ember-kernel, next to this
 * program) in QEMU with an initramfs, the serial console on this
 * terminal, and exits with the status of the guest's init. The kernel
 * reports that status twice (see hal-baremetal/misc.c): as text on QEMU's
 * debug console, which goes to a temporary file read here, and through
 * isa-debug-exit, whose QEMU exit code ((N << 1) | 1, cut to 8 bits)
 * confirms it. Any other end of QEMU is an error (125).
 *
 * A serial line has no end of input and no window size, so a small pump
 * process copies stdin to QEMU escaped (0xff as 0xff 0xff), ends it with
 * 0xff 0x00, and sends 0xff "W" ROWS ";" COLS "w" when the terminal's
 * size changes (never a 0x01 byte, which QEMU's mux takes for Ctrl-A);
 * the boot word ember.stdin=escaped tells the kernel
 * (hal-baremetal/serial.c). A terminal on stdin is put in raw mode here
 * (Ctrl-C is a byte for the guest's tty), and QEMU's mux keeps Ctrl-A x
 * as the way out; the terminal is restored when QEMU ends.
 */
#include <getopt.h>
#include <limits.h>
#include <poll.h>
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
#define MAX_DISKS 8

static volatile sig_atomic_t got_signal, got_winch;
static pid_t qemu_pid, pump_pid;
static struct termios in_tios, out_tios;
static bool in_saved, out_saved;

/* Raw input (no echo, no signals, no CR translation) on a terminal stdin;
 * no ONLCR on a terminal stdout: the kernel sends its own "\r\n". */
static void term_setup(void)
{
	struct termios t;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &in_tios) == 0)
		in_saved = true;
	if (isatty(STDOUT_FILENO) && tcgetattr(STDOUT_FILENO, &out_tios) == 0)
		out_saved = true;
	if (in_saved) {
		t = in_tios;
		t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP |
					 INLCR | IGNCR | ICRNL | IXON | IXOFF);
		t.c_lflag &=
			~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
		t.c_cflag = (t.c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8;
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSADRAIN, &t);
	}
	if (out_saved && tcgetattr(STDOUT_FILENO, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)ONLCR;
		tcsetattr(STDOUT_FILENO, TCSADRAIN, &t);
	}
}

static void term_restore(void)
{
	if (out_saved)
		tcsetattr(STDOUT_FILENO, TCSADRAIN, &out_tios);
	if (in_saved)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &in_tios);
}

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
		"  --disk FILE       a raw disk image as virtio-blk (repeatable:\n"
		"                    /dev/vda, /dev/vdb, ... in this order;\n"
		"                    read-only when FILE is not writable)\n"
		"  --net user|tap:NAME  a virtio-net NIC on QEMU's user network\n"
		"                    (slirp: ip=dhcp unless an ip= word is given;\n"
		"                    the guest is 10.0.2.15, the host 10.0.2.2) or\n"
		"                    on the host tap device NAME (use ip=...)\n"
		"  --gdb[=PORT]      wait for gdb on TCP PORT (default 1234) before\n"
		"                    the first instruction; prints the gdb command\n"
		"  -h, --help        this text\n"
		"\n"
		"On a terminal, the console is raw: Ctrl-C goes to the guest;\n"
		"Ctrl-A x quits QEMU (Ctrl-A Ctrl-A sends one Ctrl-A).\n"
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

static bool write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

/* The terminal's size as the escape 0xff "W" ROWS ";" COLS "w". */
static bool send_size(int out)
{
	struct winsize ws;
	char m[32];
	int n;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 &&
	    ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		return true;
	n = snprintf(m, sizeof(m), "\377W%u;%uw", ws.ws_row, ws.ws_col);
	return write_all(out, (const unsigned char *)m, (size_t)n);
}

/* The pump: stdin to out, 0xff doubled, the terminal's new size after a
 * SIGWINCH, then 0xff 0x00 at the end of input. */
static __attribute__((noreturn)) void pump(int out)
{
	unsigned char in[4096], esc[2 * sizeof(in)];
	static const unsigned char end[2] = { 0xff, 0x00 };
	struct sigaction sa = { .sa_handler = on_winch };
	sigset_t winch, waiting;

	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	/* SIGWINCH only while waiting in ppoll, so none is missed. */
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &winch, &waiting);
	sigdelset(&waiting, SIGWINCH);
	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		ssize_t n;
		size_t k = 0;

		if (got_winch) {
			got_winch = 0;
			if (!send_size(out))
				_exit(0);
		}
		if (ppoll(&pfd, 1, NULL, &waiting) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n = read(STDIN_FILENO, in, sizeof(in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			esc[k++] = in[i];
			if (in[i] == 0xff)
				esc[k++] = 0xff;
		}
		if (!write_all(out, esc, k))
			_exit(0);
	}
	write_all(out, end, sizeof(end));
	_exit(0);
}

static void print_gdb_hint(const char *kernel, int port)
{
	char abs[PATH_MAX];

	if (!realpath(kernel, abs))
		snprintf(abs, sizeof(abs), "%s", kernel);
	fprintf(stderr,
		"ember: QEMU waits for gdb on :%d; in another terminal:\n"
		"  gdb -ex 'symbol-file %s' -ex 'target remote :%d' "
		"-ex 'break kmain' -ex continue\n",
		port, abs, port);
}

int cmd_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "initramfs", required_argument, 0, 'i' },
		{ "kernel", required_argument, 0, 'k' },
		{ "accel", required_argument, 0, 'a' },
		{ "mem", required_argument, 0, 'm' },
		{ "cpu", required_argument, 0, 'c' },
		{ "gdb", optional_argument, 0, 'g' },
		{ "disk", required_argument, 0, 'd' },
		{ "net", required_argument, 0, 'n' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *accel = "tcg", *mem = "512M", *cpu = NULL;
	char *kernel = NULL, *initramfs = NULL;
	const char *qemu = getenv("EMBER_QEMU");
	const char *disks[MAX_DISKS], *net = NULL;
	int ndisks = 0, gdb_port = 1234;
	bool gdb = false;
	char gdb_arg[32];
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
			if (optarg) {
				char *end;
				long p = strtol(optarg, &end, 10);

				if (*end || p < 1 || p > 65535) {
					fprintf(stderr,
						"ember: --gdb=PORT: bad port '%s'\n",
						optarg);
					return 2;
				}
				gdb_port = (int)p;
			}
			break;
		case 'd':
			if (ndisks == MAX_DISKS) {
				fprintf(stderr, "ember: at most %d --disk\n",
					MAX_DISKS);
				return 2;
			}
			if (access(optarg, R_OK) != 0) {
				fprintf(stderr, "ember: --disk %s: %s\n",
					optarg, strerror(errno));
				return 2;
			}
			disks[ndisks++] = optarg;
			break;
		case 'n':
			if (strcmp(optarg, "user") != 0 &&
			    (strncmp(optarg, "tap:", 4) != 0 || !optarg[4] ||
			     strpbrk(optarg + 4, ",="))) {
				fprintf(stderr,
					"ember: --net user or --net tap:NAME\n");
				return 2;
			}
			net = optarg;
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
	add_word(&cmd, "ember.stdin=escaped");
	struct winsize ws;
	if (tty &&
	    (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ||
	     ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) &&
	    ws.ws_row) {
		snprintf(word, sizeof(word), "ember.winsize=%ux%u", ws.ws_row,
			 ws.ws_col);
		add_word(&cmd, word);
	}
	/* A terminal on stdout gets the guest's bytes untranslated: the
	 * host's ONLCR goes off while QEMU runs and the kernel (or its tty's
	 * OPOST) sends the "\r\n" itself. */
	if (isatty(STDOUT_FILENO))
		add_word(&cmd, "ember.onlcr=1");
	/* QEMU's user network has a DHCP server: use it unless the kernel
	 * words (those before init=) configure the NIC themselves. */
	if (net && strcmp(net, "user") == 0) {
		bool has_ip = false;

		for (int i = optind; i < argc; i++) {
			if (strncmp(argv[i], "init=", 5) == 0 ||
			    strcmp(argv[i], "--") == 0)
				break;
			if (strncmp(argv[i], "ip=", 3) == 0)
				has_ip = true;
		}
		if (!has_ip)
			add_word(&cmd, "ip=dhcp");
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

	const char *qargv[64];
	char *devargs[2 * MAX_DISKS + 2];
	int n = 0, ndev = 0;
	bool interactive = isatty(STDIN_FILENO);
	qargv[n++] = qemu;
	qargv[n++] = "-M";
	qargv[n++] = "q35";
	qargv[n++] = "-nodefaults";
	qargv[n++] = "-no-user-config";
	qargv[n++] = "-display";
	qargv[n++] = "none";
	qargv[n++] = "-no-reboot";
	if (interactive) {
		/* The terminal is raw (term_setup) and reaches QEMU through
		 * the pump; QEMU's mux keeps Ctrl-A x as the way out. */
		qargv[n++] = "-chardev";
		qargv[n++] = "stdio,id=con0,mux=on,signal=off";
		qargv[n++] = "-serial";
		qargv[n++] = "chardev:con0";
	} else {
		qargv[n++] = "-serial";
		qargv[n++] = "stdio";
	}
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
	/* Fixed PCI slots, so the kernel's slot-order scan finds the disks
	 * in the order given (vda first). */
	for (int i = 0; i < ndisks; i++) {
		struct buf path = { 0 };
		char *drive, *dev;

		/* QEMU's option syntax doubles a comma inside a value. */
		for (const char *p = disks[i]; *p; p++) {
			if (*p == ',')
				buf_str(&path, ",,");
			else
				buf_add(&path, p, 1);
		}
		/* A file we may not write is a read-only disk (virtio's RO). */
		if (asprintf(&drive, "file=%s,format=raw,if=none,id=d%d%s",
			     path.s, i,
			     access(disks[i], W_OK) == 0 ?
				     "" :
				     ",readonly=on") < 0 ||
		    asprintf(&dev, "virtio-blk-pci,drive=d%d,addr=%#x", i,
			     0x10 + i) < 0)
			return BOOT_FAILED;
		free(path.s);
		devargs[ndev++] = drive;
		devargs[ndev++] = dev;
		qargv[n++] = "-drive";
		qargv[n++] = drive;
		qargv[n++] = "-device";
		qargv[n++] = dev;
	}
	if (net) {
		char *nd;

		if (strcmp(net, "user") == 0)
			nd = strdup("user,id=n0");
		else if (asprintf(&nd,
				  "tap,id=n0,ifname=%s,script=no,downscript=no",
				  net + 4) < 0)
			nd = NULL;
		if (!nd)
			return BOOT_FAILED;
		devargs[ndev++] = nd;
		qargv[n++] = "-netdev";
		qargv[n++] = nd;
		qargv[n++] = "-device";
		qargv[n++] = "virtio-net-pci,netdev=n0,addr=0x8";
	}
	if (cpu) {
		qargv[n++] = "-cpu";
		qargv[n++] = cpu;
	}
	if (gdb) {
		snprintf(gdb_arg, sizeof(gdb_arg), "tcp:127.0.0.1:%d",
			 gdb_port);
		qargv[n++] = "-gdb";
		qargv[n++] = gdb_arg;
		qargv[n++] = "-S";
		print_gdb_hint(kernel, gdb_port);
	}
	qargv[n] = NULL;

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	fflush(NULL);
	int pipefd[2];
	if (pipe(pipefd) < 0) {
		perror("ember: pipe");
		return BOOT_FAILED;
	}
	term_setup();
	pump_pid = fork();
	if (pump_pid < 0) {
		perror("ember: fork");
		term_restore();
		return BOOT_FAILED;
	}
	if (pump_pid == 0) {
		close(pipefd[0]);
		pump(pipefd[1]);
	}
	close(pipefd[1]);
	qemu_pid = fork();
	if (qemu_pid < 0) {
		perror("ember: fork");
		term_restore();
		kill(pump_pid, SIGKILL);
		unlink(status_path);
		return BOOT_FAILED;
	}
	if (qemu_pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		dup2(pipefd[0], STDIN_FILENO);
		close(pipefd[0]);
		execvp(qemu, (char *const *)qargv);
		fprintf(stderr, "ember: cannot run %s: %s\n", qemu,
			strerror(errno));
		_exit(127);
	}
	close(pipefd[0]);
	while (waitpid(qemu_pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			term_restore();
			kill(pump_pid, SIGKILL);
			perror("ember: waitpid");
			unlink(status_path);
			return BOOT_FAILED;
		}
	}
	term_restore();
	/* The pump may still wait for input that no one will read. */
	kill(pump_pid, SIGKILL);
	while (waitpid(pump_pid, NULL, 0) < 0 && errno == EINTR)
		;
	int guest = read_status(status_path);
	unlink(status_path);
	for (int i = 0; i < ndev; i++)
		free(devargs[i]);

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
	else if (WEXITSTATUS(wstatus) == 0)
		fprintf(stderr,
			"ember: QEMU was quit before the kernel halted\n");
	else
		fprintf(stderr,
			"ember: %s exited with %d before the kernel halted\n",
			qemu, WEXITSTATUS(wstatus));
	return BOOT_FAILED;
}
