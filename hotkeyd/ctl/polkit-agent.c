/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "log.h"
#include "macro.h"
#include "polkit-agent.h"

#define POLKIT_AGENT_PATH "/usr/bin/pkttyagent"

/* Tests put a stand-in here; everyone else gets polkit's own agent. */
static const char *polkit_agent_path(void) {
        return getenv("HOTKEYCTL_POLKIT_AGENT") ?: POLKIT_AGENT_PATH;
}

static _noreturn_ void polkit_agent_exec(int notify_fd, pid_t parent) {
        char fd_str[16];

        /* The agent must not outlive us, even when we are killed; we may
         * have died before the death signal was set up. */
        (void) prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
                _exit(EXIT_FAILURE);

        /* Inherited across exec, unlike the rest of the pipe. */
        if (fcntl(notify_fd, F_SETFD, 0) < 0)
                _exit(EXIT_FAILURE);
        snprintf(fd_str, sizeof fd_str, "%i", notify_fd);

        execl(polkit_agent_path(), polkit_agent_path(), "--notify-fd", fd_str, "--fallback", (char *) NULL);
        _exit(EXIT_FAILURE);
}

void polkit_agent_open(pid_t *ret_pid) {
        _cleanup_close_ int read_fd = -EBADF, write_fd = -EBADF;
        pid_t pid, parent = getpid();
        int fds[2];

        assert(ret_pid);

        *ret_pid = 0;

        if (!isatty(STDIN_FILENO))
                return;

        if (pipe2(fds, O_CLOEXEC) < 0) {
                log_debug_errno(-errno, "Cannot create the polkit agent's notify pipe: %m");
                return;
        }
        read_fd = fds[0];
        write_fd = fds[1];

        pid = fork();
        if (pid < 0) {
                log_debug_errno(-errno, "Cannot start the polkit agent: %m");
                return;
        }
        if (pid == 0)
                polkit_agent_exec(write_fd, parent);

        /* Registered, or gone (exec failed, polkit refused it): either way
         * the last writer closed the pipe and the call may go ahead. */
        close(TAKE_FD(write_fd));
        struct pollfd p = { .fd = read_fd, .events = POLLHUP };
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
                ;

        *ret_pid = pid;
}

void polkit_agent_close(pid_t pid) {
        if (pid <= 0)
                return;

        (void) kill(pid, SIGTERM);
        /* It may be stopped on a terminal read (a prompt nobody answered). */
        (void) kill(pid, SIGCONT);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}
