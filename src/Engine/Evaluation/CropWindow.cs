namespace Alds.Engine.Evaluation;

/// <summary>A square window of an image: top-left column <see cref="X"/>, row <see cref="Y"/>, side <see cref="Size"/> pixels.</summary>
internal readonly record struct CropWindow(int X, int Y, int Size);
