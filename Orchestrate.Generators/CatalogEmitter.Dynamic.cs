namespace Orchestrate.Generators
{
    /// <content>The members of a descriptor about graphs that grow while running.</content>
    internal static partial class CatalogEmitter
    {
        /// <summary><c>YieldsSubTasks</c>, <c>CreateAfterTargetRegex</c> and <c>CalcDeps</c>; each is left out when unset.</summary>
        private static void WriteDynamic(CodeWriter writer, DynamicEntry dynamic)
        {
            if (dynamic.TargetRegex is not null)
            {
                writer.Line("CreateAfterTargetRegex = " + Literal(dynamic.TargetRegex) + ",");
            }

            if (dynamic.YieldsSubTasks)
            {
                writer.Line("YieldsSubTasks = true,");
            }

            if (dynamic.CalcDeps.Count > 0)
            {
                writer.Line("CalcDeps = " + StringArray(dynamic.CalcDeps) + ",");
            }
        }
    }
}
