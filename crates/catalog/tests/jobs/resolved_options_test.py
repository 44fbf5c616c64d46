# What awsglue.utils.getResolvedOptions answers, as AWS Glue's library does;
# run by the catalog's tests with crates/catalog/python on PYTHONPATH.
import unittest

from awsglue.utils import GlueArgumentError, getResolvedOptions

ARGV0 = "script.py"


class ResolvedOptions(unittest.TestCase):
    def test_named_options_and_glues_own(self):
        got = getResolvedOptions(
            [ARGV0, "--JOB_NAME", "j", "--JOB_RUN_ID", "jr_1", "--day", "mon", "--unasked", "x"],
            ["JOB_NAME", "day"],
        )
        self.assertEqual(got["JOB_NAME"], "j")
        self.assertEqual(got["day"], "mon")
        self.assertEqual(got["JOB_RUN_ID"], "jr_1")
        self.assertIsNone(got["JOB_ID"])
        self.assertEqual(got["job_bookmark_option"], "job-bookmark-disable")
        self.assertNotIn("unasked", got)
        self.assertNotIn("continuation_option", got)

    def test_a_missing_option_is_an_error(self):
        with self.assertRaises(GlueArgumentError) as e:
            getResolvedOptions([ARGV0, "--JOB_NAME", "j"], ["JOB_NAME", "day"])
        self.assertEqual(str(e.exception), "the following arguments are required: --day")

    def test_reserved_names(self):
        for name, flag in [
            ("JOB_RUN_ID", "--JOB_RUN_ID"),
            ("JOB_ID", "--JOB_ID"),
            ("job-bookmark-option", "job-bookmark-option"),
            ("continuation-option", "continuation-option"),
            ("job-bookmark-from", "--job-bookmark-from"),
            ("encryption-type", "--encryption-type"),
        ]:
            with self.assertRaises(RuntimeError) as e:
                getResolvedOptions([ARGV0], [name])
            self.assertEqual(str(e.exception), "Using reserved arguments " + flag)

    def test_temp_dirs_stand_in_for_each_other(self):
        got = getResolvedOptions([ARGV0, "--RedshiftTempDir", "s3://t/"], ["TempDir"])
        self.assertEqual(got["TempDir"], "s3://t/")
        got = getResolvedOptions([ARGV0, "--TempDir", "s3://a/", "--RedshiftTempDir", "s3://b/"], [])
        self.assertEqual(got["RedshiftTempDir"], "s3://a/")

    def test_bookmark_options(self):
        got = getResolvedOptions([ARGV0, "--continuation-option", "continuation-readonly"], [])
        self.assertEqual(got["job_bookmark_option"], "job-bookmark-pause")
        with self.assertRaises(GlueArgumentError):
            getResolvedOptions([ARGV0, "--job-bookmark-option", "sometimes"], [])
        with self.assertRaises(RuntimeError) as e:
            getResolvedOptions([ARGV0, "--job-bookmark-option", "job-bookmark-pause", "--job-bookmark-from", "jr_1"], [])
        self.assertEqual(str(e.exception), "Missing option or value for --job-bookmark-to")
        with self.assertRaises(RuntimeError) as e:
            getResolvedOptions([ARGV0, "--job-bookmark-from", "jr_1", "--job-bookmark-to", "jr_2"], [])
        self.assertEqual(str(e.exception), "Invalid option(s)--job-bookmark-from --job-bookmark-to")


if __name__ == "__main__":
    unittest.main()
