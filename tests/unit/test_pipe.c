/*
 * test_pipe.c: pipes and FIFOs (layer: unit tests; relies on ktest's boot
 * helpers and the test HAL). Calls that wait are played as real traps
 * (kern_trap parks the thread; a second thread's call wakes it and the
 * result lands in rax), as test_proc.c does for nanosleep. Expected values
 * come from pipe(7), fifo(7), pipe(2) and fcntl(2), never from Ember's
 * own output.
 */
#include <string.h>
#include <sys/syscall.h>

#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/vfs.h>
#include <kern/vm.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/signal.h>
#include <uapi/stat.h>
#include <uapi/termios.h>

#include "ktest.h"

#define PIPE_SIZE 65536

static void trap_call(struct thread *t, long nr, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint64_t a3)
{
	struct hal_trap trap = { .kind = HAL_TRAP_SYSCALL };

	t->uctx.orig_rax = (uint64_t)nr;
	t->uctx.rax = (uint64_t)nr;
	t->uctx.rdi = a0;
	t->uctx.rsi = a1;
	t->uctx.rdx = a2;
	t->uctx.r10 = a3;
	t->state = THREAD_RUNNING;
	kern_trap(&t->uctx, &trap);
	current = t;
}

static uint64_t ubuf(size_t len)
{
	return ktest_umap(len, VM_READ | VM_WRITE);
}

/* pipe2(flags) into fds[0..1]. */
static void make_pipe(int fds[2], unsigned flags)
{
	uint64_t u = ubuf(8);

	ck_assert_int_eq(ksys2(SYS_pipe2, u, flags), 0);
	ktest_get(fds, u, 8);
}

static long put_write(int fd, const void *data, size_t len)
{
	uint64_t u = ubuf(len);

	ktest_put(u, data, len);
	return ksys3(SYS_write, fd, u, len);
}

/* read(fd, len) into out; returns the call's result. */
static long get_read(int fd, void *out, size_t len)
{
	uint64_t u = ubuf(len);
	long r = ksys3(SYS_read, fd, u, len);

	if (r > 0)
		ktest_get(out, u, (size_t)r);
	return r;
}

static void fill_pattern(unsigned char *p, size_t len, size_t start)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)((start + i) * 7 + (start + i) / 251);
}

START_TEST(pipe_read_write_and_flags)
{
	int fds[2];
	char buf[16];
	struct stat st;
	uint64_t ust;

	ktest_boot();
	make_pipe(fds, 0);
	ck_assert_int_eq(fds[0], 3);
	ck_assert_int_eq(fds[1], 4);
	ck_assert_int_eq(put_write(fds[1], "hello", 5), 5);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(get_read(fds[0], buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "hello");
	/* pipe(2): the read end is O_RDONLY, the write end O_WRONLY. */
	ck_assert_int_eq(ksys2(SYS_fcntl, fds[0], F_GETFL), O_RDONLY);
	ck_assert_int_eq(ksys2(SYS_fcntl, fds[1], F_GETFL), O_WRONLY);
	ck_assert_int_eq(ksys2(SYS_fcntl, fds[0], F_GETFD), 0);
	/* The wrong direction: EBADF. */
	ck_assert_int_eq(put_write(fds[0], "x", 1), -EBADF);
	ck_assert_int_eq(get_read(fds[1], buf, 1), -EBADF);
	ck_assert_int_eq(ksys3(SYS_lseek, fds[0], 0, SEEK_CUR), -ESPIPE);
	ck_assert_int_eq(ksys4(SYS_pread64, fds[0], ubuf(4), 4, 0), -ESPIPE);
	ust = ubuf(sizeof(st));
	ck_assert_int_eq(ksys2(SYS_fstat, fds[0], ust), 0);
	ktest_get(&st, ust, sizeof(st));
	ck_assert_uint_eq(st.st_mode & S_IFMT, S_IFIFO);

	make_pipe(fds, O_CLOEXEC | O_NONBLOCK);
	ck_assert_int_eq(ksys2(SYS_fcntl, fds[0], F_GETFD), FD_CLOEXEC);
	ck_assert_int_eq(ksys2(SYS_fcntl, fds[1], F_GETFL),
			 O_WRONLY | O_NONBLOCK);
	ck_assert_int_eq(ksys2(SYS_pipe2, ubuf(8), O_APPEND), -EINVAL);
	ck_assert_int_eq(ksys2(SYS_pipe2, 0, 0), -EFAULT);
	ck_assert_int_eq(ksys1(SYS_pipe, 0), -EFAULT);
}
END_TEST

START_TEST(pipe_eof_when_writers_close)
{
	int fds[2];
	char buf[8];

	ktest_boot();
	make_pipe(fds, 0);
	ck_assert_int_eq(put_write(fds[1], "ab", 2), 2);
	ck_assert_int_eq(ksys1(SYS_close, fds[1]), 0);
	/* Data first, then end of file (no waiting: no writer is left). */
	ck_assert_int_eq(get_read(fds[0], buf, 8), 2);
	ck_assert_int_eq(get_read(fds[0], buf, 8), 0);
	ck_assert_int_eq(get_read(fds[0], buf, 8), 0);
}
END_TEST

START_TEST(pipe_epipe_and_sigpipe)
{
	int fds[2];
	uint64_t set = 1ULL << (SIGPIPE - 1), uset;

	ktest_boot();
	uset = ubuf(8);
	make_pipe(fds, 0);
	ck_assert_int_eq(ksys1(SYS_close, fds[0]), 0);
	/* Blocked, SIGPIPE stays pending (its default would end init). */
	ktest_put(uset, &set, 8);
	ck_assert_int_eq(ksys4(SYS_rt_sigprocmask, SIG_BLOCK, uset, 0, 8), 0);
	ck_assert_int_eq(put_write(fds[1], "x", 1), -EPIPE);
	ck_assert(current->sig_pending & set);
}
END_TEST

START_TEST(pipe_nonblocking_capacity)
{
	int fds[2];
	char buf[8];
	uint64_t big, u;
	long total = 0, n;
	int avail;

	ktest_boot();
	big = ubuf(PIPE_SIZE + 4096);
	u = ubuf(4);
	make_pipe(fds, O_NONBLOCK);
	ck_assert_int_eq(get_read(fds[0], buf, 8), -EAGAIN);
	/* pipe(7): 65536 bytes by default, in 16 page buffers; small writes
	 * that do not fit whole in the last buffer start a new one (Linux
	 * takes 64 writes of 1000 bytes: 4 per page). */
	while ((n = ksys3(SYS_write, fds[1], big, 1000)) > 0)
		total += n;
	ck_assert_int_eq(n, -EAGAIN);
	ck_assert_int_eq(total, 64000);
	make_pipe(fds, O_NONBLOCK);
	total = 0;
	while ((n = ksys3(SYS_write, fds[1], big, 4096)) > 0)
		total += n;
	ck_assert_int_eq(n, -EAGAIN);
	ck_assert_int_eq(total, PIPE_SIZE);
	ck_assert_int_eq(ksys3(SYS_ioctl, fds[0], FIONREAD, u), 0);
	ktest_get(&avail, u, 4);
	ck_assert_int_eq(avail, PIPE_SIZE);
	ck_assert_int_eq(ksys2(SYS_fcntl, fds[0], F_GETPIPE_SZ), PIPE_SIZE);
}
END_TEST

START_TEST(pipe_buf_writes_are_atomic)
{
	int fds[2];
	uint64_t big, sink;

	ktest_boot();
	big = ubuf(PIPE_SIZE);
	sink = ubuf(PIPE_SIZE);
	make_pipe(fds, O_NONBLOCK);
	/* 15 full pages and 4000 bytes: 96 bytes fit in the last buffer. */
	ck_assert_int_eq(ksys3(SYS_write, fds[1], big, 15 * 4096 + 4000),
			 15 * 4096 + 4000);
	/* 200 bytes do not fit whole: nothing is written (PIPE_BUF). */
	ck_assert_int_eq(ksys3(SYS_write, fds[1], big, 200), -EAGAIN);
	/* writev: PIPE_BUF bytes in all are atomic too (50 + 50 of the 96
	 * free would otherwise land in part). */
	{
		struct {
			uint64_t base, len;
		} iov[2] = { { big, 50 }, { big, 50 } };
		uint64_t uiov = ubuf(sizeof(iov));

		ktest_put(uiov, iov, sizeof(iov));
		ck_assert_int_eq(ksys3(SYS_writev, fds[1], uiov, 2), -EAGAIN);
		iov[1].len = 46;
		ktest_put(uiov, iov, sizeof(iov));
		ck_assert_int_eq(ksys3(SYS_writev, fds[1], uiov, 2), 96);
	}
	ck_assert_int_eq(ksys3(SYS_write, fds[1], big, 1), -EAGAIN);
	/* One buffer read frees one slot: a write larger than PIPE_BUF may
	 * be partial, a PIPE_BUF one lands whole. */
	ck_assert_int_eq(ksys3(SYS_read, fds[0], sink, 4096), 4096);
	ck_assert_int_eq(ksys3(SYS_write, fds[1], big, 5000), 4096);
	ck_assert_int_eq(ksys3(SYS_read, fds[0], sink, 4096), 4096);
	ck_assert_int_eq(ksys3(SYS_write, fds[1], big, 4096), 4096);
}
END_TEST

START_TEST(pipe_blocking_reader_woken_by_writer)
{
	struct thread *t1, *t2;
	int fds[2];
	uint64_t u;
	char buf[8] = { 0 };

	ktest_boot();
	t1 = current;
	make_pipe(fds, 0);
	u = ubuf(8);
	trap_call(t1, SYS_read, fds[0], u, 8, 0);
	ck_assert_int_eq(t1->state, THREAD_BLOCKED);

	t2 = thread_create(t1->task);
	current = t2;
	ck_assert_int_eq(put_write(fds[1], "wake", 4), 4);
	ck_assert_ptr_eq(current, t2);
	ck_assert_int_eq(t1->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t1->uctx.rax, 4);
	ktest_get(buf, u, 4);
	ck_assert_str_eq(buf, "wake");
}
END_TEST

START_TEST(pipe_big_blocking_write_resumes_exactly)
{
	enum { LEN = 3 * PIPE_SIZE + 1234 };
	static unsigned char data[LEN], got[LEN];
	struct thread *t1, *t2;
	int fds[2];
	uint64_t src, dst;
	size_t have = 0;

	ktest_boot();
	t1 = current;
	make_pipe(fds, 0);
	fill_pattern(data, LEN, 0);
	src = ubuf(LEN);
	ktest_put(src, data, LEN);
	trap_call(t1, SYS_write, fds[1], src, LEN, 0);
	ck_assert_int_eq(t1->state, THREAD_BLOCKED);

	t2 = thread_create(t1->task);
	current = t2;
	dst = ubuf(5000);
	/* Odd-sized reads: each wakes the writer, which goes on where it
	 * stopped. Nothing may be lost or written twice. */
	while (have < LEN) {
		long n = ksys3(SYS_read, fds[0], dst, 5000);

		ck_assert_int_gt(n, 0);
		ktest_get(got + have, dst, (size_t)n);
		have += (size_t)n;
	}
	ck_assert_uint_eq(have, LEN);
	ck_assert_int_eq(t1->state, THREAD_RUNNING);
	ck_assert_int_eq((long)t1->uctx.rax, LEN);
	ck_assert(memcmp(got, data, LEN) == 0);
	/* Nothing else is left in the pipe. */
	ck_assert_int_eq(ksys3(SYS_fcntl, fds[0], F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(ksys3(SYS_read, fds[0], dst, 1), -EAGAIN);
}
END_TEST

START_TEST(pipe_signal_interrupts_wait)
{
	int fds[2];
	char c;

	ktest_boot();
	make_pipe(fds, 0);
	/* A re-run after a signal woke the thread: the read gives up. */
	current->resumed = true;
	current->wake_reason = WAKE_SIGNAL;
	ck_assert_int_eq(get_read(fds[0], &c, 1), -EINTR);
	current->resumed = false;
	current->wake_reason = WAKE_NONE;
}
END_TEST

START_TEST(pipe_set_size)
{
	int fds[2];
	uint64_t big;
	int fd;

	ktest_boot();
	big = ubuf(8 * 4096);
	make_pipe(fds, O_NONBLOCK);
	/* Rounded up to a power-of-two number of pages. */
	ck_assert_int_eq(ksys3(SYS_fcntl, fds[0], F_SETPIPE_SZ, 5000), 8192);
	ck_assert_int_eq(ksys2(SYS_fcntl, fds[1], F_GETPIPE_SZ), 8192);
	ck_assert_int_eq(ksys3(SYS_fcntl, fds[0], F_SETPIPE_SZ, 1), 4096);
	ck_assert_int_eq(ksys3(SYS_write, fds[1], big, 8192), 4096);
	ck_assert_int_eq(ksys3(SYS_fcntl, fds[0], F_SETPIPE_SZ, 1 << 20),
			 1 << 20);
	ck_assert_int_eq(ksys3(SYS_write, fds[1], big, 8192), 8192);
	/* Three pages of data do not fit in two. */
	ck_assert_int_eq(ksys3(SYS_fcntl, fds[0], F_SETPIPE_SZ, 8192), -EBUSY);
	ck_assert_int_eq(ksys3(SYS_fcntl, fds[0], F_SETPIPE_SZ, 16384), 16384);
	ck_assert_int_eq(ksys3(SYS_read, fds[0], big, 3 * 4096), 12288);
	fd = (int)ksys3(SYS_open, ktest_ustr("/dev/null"), O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ksys2(SYS_fcntl, fd, F_GETPIPE_SZ), -EBADF);
}
END_TEST

START_TEST(pipe_packet_mode)
{
	int fds[2];
	char buf[16];

	ktest_boot();
	make_pipe(fds, O_DIRECT | O_NONBLOCK);
	ck_assert_int_eq(ksys2(SYS_fcntl, fds[1], F_GETFL) & O_DIRECT,
			 O_DIRECT);
	ck_assert_int_eq(put_write(fds[1], "ab", 2), 2);
	ck_assert_int_eq(put_write(fds[1], "cde", 3), 3);
	ck_assert_int_eq(put_write(fds[1], "f", 1), 1);
	/* One packet per read; a short read drops the rest of it. */
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(get_read(fds[0], buf, 16), 2);
	ck_assert_str_eq(buf, "ab");
	ck_assert_int_eq(get_read(fds[0], buf, 1), 1);
	ck_assert_int_eq(buf[0], 'c');
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(get_read(fds[0], buf, 16), 1);
	ck_assert_str_eq(buf, "f");
	ck_assert_int_eq(get_read(fds[0], buf, 16), -EAGAIN);
}
END_TEST

/* "pipe:[ino]" without stdio (whose RENAME_* clash with uapi/fcntl.h). */
static void pipe_name(char *out, uint64_t ino)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + ino % 10);
		ino /= 10;
	} while (ino);
	strcpy(out, "pipe:[");
	out += 6;
	while (n)
		*out++ = digits[--n];
	strcpy(out, "]");
}

START_TEST(pipe_proc_fd_link)
{
	int fds[2];
	char buf[64], want[64];
	uint64_t u, ust;
	struct stat st;
	long n;

	ktest_boot();
	u = ubuf(64);
	ust = ubuf(sizeof(st));
	make_pipe(fds, 0);
	ck_assert_int_eq(ksys2(SYS_fstat, fds[1], ust), 0);
	ktest_get(&st, ust, sizeof(st));
	pipe_name(want, st.st_ino);
	n = ksys3(SYS_readlink, ktest_ustr("/proc/self/fd/4"), u, 64);
	ck_assert_int_eq(n, (long)strlen(want));
	ktest_get(buf, u, (size_t)n);
	buf[n] = 0;
	ck_assert_str_eq(buf, want);
	/* Both ends are the same pipe inode. */
	n = ksys3(SYS_readlink, ktest_ustr("/proc/self/fd/3"), u, 64);
	ck_assert_int_eq(n, (long)strlen(want));
}
END_TEST

START_TEST(fifo_open_rules)
{
	uint64_t path;
	int r, w;
	char buf[8];

	ktest_boot();
	path = ktest_ustr("/tmp/fifo");
	ck_assert_int_eq(ksys3(SYS_mknod, path, S_IFIFO | 0644, 0), 0);
	/* fifo(7): a lone non-blocking writer gets ENXIO; a non-blocking
	 * reader opens at once. */
	ck_assert_int_eq(ksys3(SYS_open, path, O_WRONLY | O_NONBLOCK, 0),
			 -ENXIO);
	r = (int)ksys3(SYS_open, path, O_RDONLY | O_NONBLOCK, 0);
	ck_assert_int_ge(r, 0);
	ck_assert_int_eq(get_read(r, buf, 8), 0); /* no writer: EOF */
	w = (int)ksys3(SYS_open, path, O_WRONLY | O_NONBLOCK, 0);
	ck_assert_int_ge(w, 0);
	ck_assert_int_eq(put_write(w, "fifo", 4), 4);
	ck_assert_int_eq(get_read(r, buf, 8), 4);
	ck_assert_int_eq(get_read(r, buf, 8), -EAGAIN);
	ck_assert_int_eq(ksys1(SYS_close, w), 0);
	ck_assert_int_eq(ksys1(SYS_close, r), 0);
	/* O_RDWR never waits. */
	r = (int)ksys3(SYS_open, path, O_RDWR, 0);
	ck_assert_int_ge(r, 0);
	ck_assert_int_eq(put_write(r, "rw", 2), 2);
	ck_assert_int_eq(get_read(r, buf, 8), 2);
}
END_TEST

START_TEST(fifo_blocking_open_waits_for_writer)
{
	struct thread *t1, *t2;
	uint64_t path;
	int w;
	char buf[8];

	ktest_boot();
	t1 = current;
	path = ktest_ustr("/tmp/fifo2");
	ck_assert_int_eq(ksys3(SYS_mknod, path, S_IFIFO | 0600, 0), 0);
	trap_call(t1, SYS_open, path, O_RDONLY, 0, 0);
	ck_assert_int_eq(t1->state, THREAD_BLOCKED);

	t2 = thread_create(t1->task);
	current = t2;
	/* A reader waits in open: a non-blocking writer may open. */
	w = (int)ksys3(SYS_open, path, O_WRONLY | O_NONBLOCK, 0);
	ck_assert_int_ge(w, 0);
	ck_assert_int_eq(t1->state, THREAD_RUNNING);
	ck_assert_int_ge((long)t1->uctx.rax, 0);
	ck_assert_int_eq(put_write(w, "hi", 2), 2);
	ck_assert_int_eq(get_read((int)t1->uctx.rax, buf, 8), 2);
}
END_TEST

KTEST_SUITE(pipe_suite)
{
	Suite *s = suite_create("pipe");
	TCase *tc = tcase_create("pipes");

	tcase_add_test(tc, pipe_read_write_and_flags);
	tcase_add_test(tc, pipe_eof_when_writers_close);
	tcase_add_test(tc, pipe_epipe_and_sigpipe);
	tcase_add_test(tc, pipe_nonblocking_capacity);
	tcase_add_test(tc, pipe_buf_writes_are_atomic);
	tcase_add_test(tc, pipe_blocking_reader_woken_by_writer);
	tcase_add_test(tc, pipe_big_blocking_write_resumes_exactly);
	tcase_add_test(tc, pipe_signal_interrupts_wait);
	tcase_add_test(tc, pipe_set_size);
	tcase_add_test(tc, pipe_packet_mode);
	tcase_add_test(tc, pipe_proc_fd_link);
	tcase_add_test(tc, fifo_open_rules);
	tcase_add_test(tc, fifo_blocking_open_waits_for_writer);
	suite_add_tcase(s, tc);
	return s;
}
