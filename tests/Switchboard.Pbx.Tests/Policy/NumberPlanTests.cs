using Switchboard.Pbx.Policy;

namespace Switchboard.Pbx.Tests.Policy;

public class NumberPlanTests
{
    [Theory]
    [InlineData("112", NumberClass.Emergency)]
    [InlineData("911", NumberClass.Emergency)]
    [InlineData("09001234567", NumberClass.Premium)]
    [InlineData("01901234", NumberClass.Premium)]
    [InlineData("19005551234", NumberClass.Premium)]
    [InlineData("+4990012345", NumberClass.Premium)]
    [InlineData("08001234567", NumberClass.TollFree)]
    [InlineData("18005551234", NumberClass.TollFree)]
    [InlineData("0044201234567", NumberClass.International)]
    [InlineData("+44201234567", NumberClass.International)]
    [InlineData("0301234567", NumberClass.National)]
    [InlineData("1234567890", NumberClass.National)]
    [InlineData("1120", NumberClass.National)]
    public void The_default_plan_classifies(string number, NumberClass expected) =>
        Assert.Equal(expected, NumberPlan.Default.Classify(number));

    [Fact]
    public void A_domain_replaces_one_class_and_an_empty_list_restores_the_default()
    {
        var plan = NumberPlan.Default.With(NumberClass.Emergency, [DialPattern.Parse("110"), DialPattern.Parse("112")]);

        Assert.Equal(NumberClass.Emergency, plan.Classify("110"));
        Assert.Equal(NumberClass.National, plan.Classify("911"));
        Assert.Equal(NumberClass.Emergency, plan.With(NumberClass.Emergency, []).Classify("911"));
    }

    [Fact]
    public void Class_lists_parse_and_name_an_unknown_word()
    {
        Assert.True(NumberClasses.TryParse("national, International,tollfree", out var classes, out _));
        Assert.Equal([NumberClass.TollFree, NumberClass.National, NumberClass.International], classes.Order());
        Assert.Equal("tollfree,national,international", NumberClasses.Format(classes));
        Assert.False(NumberClasses.TryParse("national,intl", out _, out var error));
        Assert.StartsWith("'intl' is not a number class", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Premium_and_international_are_blocked_by_default() =>
        Assert.Equal([NumberClass.Internal, NumberClass.Emergency, NumberClass.TollFree, NumberClass.National], NumberClasses.DefaultAllowed.Order());
}
