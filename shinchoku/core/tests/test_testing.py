import pytest

from shinchoku.core.testing.programs import need_program


def test_a_missing_program_fails_the_test_naming_its_debian_package():
    with pytest.raises(pytest.fail.Exception) as failure:
        need_program("shinchoku-no-such-program", package="no-such-package")
    assert "shinchoku-no-such-program" in str(failure.value) and "apt-get install no-such-package" in str(failure.value)


def test_a_present_program_gives_its_path():
    assert need_program("sh", package="dash").endswith("/sh")
