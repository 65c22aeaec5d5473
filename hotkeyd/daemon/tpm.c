/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/stat.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "log.h"
#include "tpm-ppi.h"
#include "tpm.h"

#define TPM_DEVICE "/dev/tpmrm0"
#define PPI_DIR "/sys/class/tpm/tpm0/ppi"
#define PPI_FILE_MAX 4096

static void tpm_read_ppi(const char *dir, TpmInfo *info) {
        char path[512], buf[PPI_FILE_MAX];
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        snprintf(path, sizeof path, "%s/tcg_operations", dir ?: PPI_DIR);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                log_debug_errno(-errno, "No TPM PPI information in %s: %m", path);
                return;
        }
        n = read(fd, buf, sizeof buf);
        if (n > 0)
                info->ppi_clear = tpm_ppi_clear_offered(buf, (size_t) n);
}

static int tpm_get_property(ESYS_CONTEXT *ctx, TPM2_PT property, uint32_t *ret) {
        TPMS_CAPABILITY_DATA *data = NULL;
        TPMI_YES_NO more;
        TSS2_RC rc;
        int r = -ENODATA;

        rc = Esys_GetCapability(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES, property, 1,
                                &more, &data);
        if (rc != TSS2_RC_SUCCESS)
                return -EIO;
        if (data->data.tpmProperties.count > 0 && data->data.tpmProperties.tpmProperty[0].property == property) {
                *ret = data->data.tpmProperties.tpmProperty[0].value;
                r = 0;
        }
        Esys_Free(data);
        return r;
}

const char *tpm_firmware_version(const TpmInfo *info, char buf[static TPM_FIRMWARE_VERSION_MAX]) {
        if (!info->present || info->error[0])
                buf[0] = '\0';
        else
                snprintf(buf, TPM_FIRMWARE_VERSION_MAX, "%" PRIu32 ".%" PRIu32, info->firmware_version >> 16,
                         info->firmware_version & 0xffff);
        return buf;
}

void tpm_read_info(const char *tcti, const char *ppi_dir, TpmInfo *info) {
        TSS2_TCTI_CONTEXT *tcti_ctx = NULL;
        ESYS_CONTEXT *ctx = NULL;
        uint32_t manufacturer = 0, permanent = 0;
        TSS2_RC rc;

        *info = (TpmInfo) {};
        /* tss2 logs every failed attempt on stderr; ours are in the journal. */
        (void) setenv("TSS2_LOG", "all+none", false);

        /* Without a TCTI override only the kernel's resource manager counts:
         * the loader's other defaults (tabrmd, simulators) would make "no
         * TPM" a string of errors. */
        if (!tcti) {
                /* stat(), not access(): under DevicePolicy=closed the device
                 * cgroup refuses even access(F_OK) on a device node that is
                 * not allowed, which would turn "cannot use the TPM" into a
                 * false "no TPM" in the dialog. */
                struct stat st;
                if (stat(TPM_DEVICE, &st) < 0) {
                        log_debug_errno(-errno, "No %s: this machine has no TPM 2.0 (%m).", TPM_DEVICE);
                        return;
                }
                tcti = "device:" TPM_DEVICE;
        }

        info->present = true;
        rc = Tss2_TctiLdr_Initialize(tcti, &tcti_ctx);
        if (rc == TSS2_RC_SUCCESS)
                rc = Esys_Initialize(&ctx, tcti_ctx, NULL);
        if (rc != TSS2_RC_SUCCESS) {
                snprintf(info->error, sizeof info->error, "cannot talk to the TPM (%s): 0x%x", tcti, rc);
                log_warning("TPM: %s", info->error);
                goto finish;
        }

        if (tpm_get_property(ctx, TPM2_PT_MANUFACTURER, &manufacturer) < 0 ||
            tpm_get_property(ctx, TPM2_PT_FIRMWARE_VERSION_1, &info->firmware_version) < 0 ||
            tpm_get_property(ctx, TPM2_PT_PERMANENT, &permanent) < 0) {
                snprintf(info->error, sizeof info->error, "the TPM did not report its properties");
                log_warning("TPM: %s", info->error);
                goto finish;
        }

        /* Four ASCII characters, big-endian, padded with NULs or spaces. */
        for (size_t i = 0; i < 4; i++) {
                char c = (char) ((manufacturer >> (24 - 8 * i)) & 0xff);
                info->manufacturer[i] = c >= 0x20 && c < 0x7f ? c : '\0';
        }
        for (size_t i = 4; i > 0 && (info->manufacturer[i - 1] == ' ' || info->manufacturer[i - 1] == '\0'); i--)
                info->manufacturer[i - 1] = '\0';

        info->disable_clear = permanent & TPMA_PERMANENT_DISABLECLEAR;
        info->in_lockout = permanent & TPMA_PERMANENT_INLOCKOUT;
        tpm_read_ppi(ppi_dir, info);

        char version[TPM_FIRMWARE_VERSION_MAX];
        log_info("TPM: %s, firmware %s, clear %s, %slockout, firmware clear via PPI %s.", info->manufacturer,
                 tpm_firmware_version(info, version), info->disable_clear ? "disabled" : "allowed",
                 info->in_lockout ? "" : "no ", info->ppi_clear ? "offered" : "not offered");

finish:
        Esys_Finalize(&ctx);
        Tss2_TctiLdr_Finalize(&tcti_ctx);
}
