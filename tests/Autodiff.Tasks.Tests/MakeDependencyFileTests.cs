using Autodiff.Tasks;
using Xunit;

namespace Autodiff.Tasks.Tests;

/// <summary>
/// The dependency files gcc writes with -MMD (no -MP): spaces and <c>$</c> escaped, a newline in a
/// path written as it is, which only the rule's end (the end of the file) tells from a path's.
/// </summary>
public sealed class MakeDependencyFileTests
{
    [Fact]
    public void Escaped_spaces_and_dollars_are_part_of_the_path()
    {
        var prerequisites = MakeDependencyFile.ParsePrerequisites("/p/a b/x.o: /p/a\\ b/x.c \\\n /p/a\\ b/$$(y).h\n");

        Assert.Equal(["/p/a b/x.c", "/p/a b/$(y).h"], prerequisites);
    }

    [Fact]
    public void A_newline_inside_a_path_is_kept_and_the_last_one_ends_the_rule()
    {
        var prerequisites = MakeDependencyFile.ParsePrerequisites(
            "/p/new\nline/obj/x.c.o: \\\n /p/new\nline/x.c \\\n /p/new\nline/obj/m.h\n");

        Assert.Equal(["/p/new\nline/x.c", "/p/new\nline/obj/m.h"], prerequisites);
    }
}
